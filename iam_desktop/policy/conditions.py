"""One Condition key test compiled once and evaluated against a request context many times.

Semantics (reference_policies_elements_condition_operators.md, reference_policies_multi-value-conditions.md,
reference_policies_single-vs-multi-valued-condition-keys.md):
several values in the policy are ORed; negated operators (``StringNotEquals``...) hold when no value
matches; a key missing from the request makes normal operators false and negated operators true;
``...IfExists`` holds when the key is missing; ``ForAllValues`` holds for a missing key or empty set (empty strings
count as an empty set) and requires every request value to match; ``ForAnyValue`` is false for a missing key and requires one
request value to match; ``Null`` tests presence. Key names are case-insensitive.
"""

from __future__ import annotations

import operator
from typing import Any, Callable, Mapping

from iam_desktop.policy.document import ConditionClause
from iam_desktop.policy.explanation import ConditionOutcome
from iam_desktop.policy.operators import (
    BASE_OPERATORS,
    NULL_OPERATOR,
    ConditionValueError,
    OperatorFamily,
    split_operator,
)
from iam_desktop.policy.variables import TemplatePart, has_variables, joined_text, parse_template, substitute

Context = Mapping[str, tuple[str, ...]]
"""Request context: lower-cased condition key -> its values."""

ConditionCheck = tuple[bool, ConditionOutcome, "tuple[str, ...] | None", str, tuple[str, ...]]
"""(holds, outcome, request values, message, policy values compared) of one test."""

_NULL_VALUES = ("true", "false")


class CompiledCondition:
    """A ``{operator: {key: values}}`` test ready to run; never raises while checking."""

    __slots__ = (
        "clause", "key", "set_prefix", "if_exists", "is_null", "family", "_prepared", "_templates", "_error", "holds",
    )  # fmt: skip

    def __init__(self, clause: ConditionClause, *, substitute_variables: bool) -> None:
        self.clause = clause
        self.key = clause.key.lower()
        self._error: str | None = None
        self._prepared: tuple[Any, ...] | None = None
        self._templates: tuple[tuple[TemplatePart, ...], ...] = ()
        name = split_operator(clause.operator)
        self.set_prefix = name.set_prefix if name else None
        self.if_exists = bool(name and name.if_exists)
        self.is_null = bool(name and name.base == NULL_OPERATOR)
        self.family: OperatorFamily | None = BASE_OPERATORS.get(name.base) if name else None
        if name is None:
            self._error = f"unknown condition operator {clause.operator!r}"
        elif self.is_null:
            wrong = [value for value in clause.values if value.lower() not in _NULL_VALUES]
            if wrong:
                self._error = f"Null takes 'true' or 'false', not {wrong[0]!r}"
        else:
            templates = tuple(parse_template(v) if substitute_variables else (v,) for v in clause.values)
            if any(has_variables(template) for template in templates):
                self._templates = templates
            else:
                try:
                    self._prepared = self._prepare(templates)
                except ConditionValueError as error:
                    self._error = f"{clause.operator} on {clause.key}: {error}"
        self.holds: Callable[[Context], bool] = self._fast_test() or self._checked_holds

    def _checked_holds(self, context: Context) -> bool:
        return self.check(context)[0]

    def _fast_test(self) -> Callable[[Context], bool] | None:
        """A lean test for the common case (no set operator, fixed policy values): same truth as ``check``."""
        if self._error is not None or self.is_null or self.set_prefix is not None or self._prepared is None:
            return None
        assert self.family is not None
        key, prepared, compare = self.key, self._prepared, self.family.compare
        negated, when_missing = self.family.negated, self.if_exists or self.family.negated
        if compare is operator.eq:
            expected = frozenset(prepared)

            def equal_test(context: Context) -> bool:
                values = context.get(key)
                if not values:
                    return when_missing
                if len(values) == 1:
                    return (values[0] in expected) != negated
                return any(value in expected for value in values) != negated

            return equal_test

        def compare_test(context: Context) -> bool:
            values = context.get(key)
            if not values:
                return when_missing
            try:
                return any(compare(value, p) for value in values for p in prepared) != negated
            except ConditionValueError:
                return False

        return compare_test

    def _prepare(self, templates: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
        assert self.family is not None
        return tuple(self.family.prepare(template) for template in templates)

    def _prepared_for(self, context: Context) -> tuple[tuple[Any, ...], tuple[str, ...]]:
        """Substitute policy variables (a value whose variable is missing is dropped: it cannot match)."""
        if self._prepared is not None:
            return self._prepared, self.clause.values
        resolved = [substitute(template, context) for template in self._templates]
        kept = tuple(parts for parts in resolved if parts is not None)
        shown = tuple(joined_text(parts) for parts in kept)
        return self._prepare(kept), shown

    def check(self, context: Context) -> ConditionCheck:
        """Run the test against ``context`` and say whether it holds, and why."""
        values = self.clause.values
        if self._error is not None:
            return False, ConditionOutcome.ERROR, None, self._error, values
        request_values = context.get(self.key)
        present = bool(request_values)
        if present and self.set_prefix is not None and not any(request_values):  # type: ignore[arg-type]
            # multi-value page: values that "resolve to a null data set, such as an empty string"
            present = False
        if self.is_null:
            wanted = "false" if present else "true"
            holds = any(value.lower() == wanted for value in values)
            message = "" if present else f"key {self.clause.key} is not in the request"
            return holds, ConditionOutcome.TRUE if holds else ConditionOutcome.FALSE, request_values, message, values
        if not present:
            return self._missing(request_values, values)
        family = self.family
        assert family is not None and request_values is not None
        try:
            prepared, shown = self._prepared_for(context)
            compare = family.compare
            if self.set_prefix is None:
                matched = any(compare(r, p) for r in request_values for p in prepared)
                holds = matched != family.negated
            elif self.set_prefix == "ForAllValues":
                holds = all(any(compare(r, p) for p in prepared) != family.negated for r in request_values)
            else:
                holds = any(any(compare(r, p) for p in prepared) != family.negated for r in request_values)
        except ConditionValueError as error:
            return False, ConditionOutcome.ERROR, request_values, f"{self.clause.operator} on {self.clause.key}: {error}", values
        return holds, ConditionOutcome.TRUE if holds else ConditionOutcome.FALSE, request_values, "", shown

    def _missing(self, request_values: tuple[str, ...] | None, values: tuple[str, ...]) -> ConditionCheck:
        """A key absent (or with no values): IfExists and ForAllValues hold, negated operators hold."""
        assert self.family is not None
        where = f"key {self.clause.key} is not in the request"
        if self.if_exists:
            return True, ConditionOutcome.MISSING_KEY, request_values, f"{where}; ...IfExists holds", values
        if self.set_prefix == "ForAllValues":
            return True, ConditionOutcome.MISSING_KEY, request_values, f"{where}; ForAllValues holds for an empty set", values
        if self.set_prefix == "ForAnyValue":
            return False, ConditionOutcome.MISSING_KEY, request_values, f"{where}; ForAnyValue needs a value", values
        holds = self.family.negated
        verdict = "a negated operator holds" if holds else "the values do not match"
        return holds, ConditionOutcome.MISSING_KEY, request_values, f"{where}; {verdict}", values

    @property
    def error(self) -> str | None:
        """Why the test cannot be evaluated at all (unknown operator, unreadable policy value)."""
        return self._error
