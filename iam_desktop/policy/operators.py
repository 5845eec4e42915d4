"""Condition operator families: how a policy value is read and compared with one request value.

Source: reference_policies_elements_condition_operators.md (String, Numeric, Date, Bool, BinaryEquals,
IpAddress / NotIpAddress, Arn*, Null, ...IfExists) and reference_policies_multi-value-conditions.md
(ForAnyValue / ForAllValues).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import operator
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Callable

from iam_desktop.policy.matching import parts_matcher
from iam_desktop.policy.variables import Literal


class ConditionValueError(ValueError):
    """A condition value (in the policy or the request) that the operator cannot read."""


Prepare = Callable[[tuple[str | Literal, ...]], Any]
"""Reads a (substituted) policy value into the form the comparison uses; raises ConditionValueError."""
Compare = Callable[[str, Any], bool]
"""Compares one request value with one prepared policy value; raises ConditionValueError."""


@dataclass(frozen=True)
class OperatorFamily:
    """How one base operator (without IfExists / set prefix) compares values."""

    prepare: Prepare
    compare: Compare
    negated: bool


def _text(parts: tuple[str | Literal, ...]) -> str:
    return "".join(part.text if isinstance(part, Literal) else part for part in parts)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError as error:
        raise ConditionValueError(f"{text!r} is not a number") from error


def parse_date(text: str) -> float:
    """Read an ISO 8601 date/time (W3C NOTE-datetime profile) or epoch seconds into epoch seconds (UTC).

    A bare number is read as epoch seconds (so ``2026`` is a second in 1970, not a year).
    """
    stripped = text.strip()
    try:
        return float(int(stripped))
    except ValueError:
        pass
    if len(stripped) == 7 and stripped[4] == "-":  # W3C "Year and month" (YYYY-MM): its first day
        stripped += "-01"
    try:
        moment = datetime.fromisoformat(stripped.replace("z", "Z"))
    except ValueError as error:
        raise ConditionValueError(f"{text!r} is not an ISO 8601 date or epoch time") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ConditionValueError(f"{text!r} is not base-64") from error


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError as error:
        raise ConditionValueError(f"{text!r} is not an IP address or CIDR block") from error


@lru_cache(maxsize=8192)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _in_network(request_value: str, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    address = _address(request_value)
    if address is None:
        raise ConditionValueError(f"request value {request_value!r} is not an IP address")
    return address.version == network.version and address in network


def _binary_equal(request_value: str, expected: bytes) -> bool:
    """The request value is the binary data itself (as text) or its base-64 form."""
    if request_value.encode("utf-8") == expected:
        return True
    try:
        return base64.b64decode(request_value, validate=True) == expected
    except (binascii.Error, ValueError):
        return False


def _numeric(compare: Callable[[float, float], bool]) -> Compare:
    return lambda request_value, expected: compare(_number(request_value), expected)


def _dated(compare: Callable[[float, float], bool]) -> Compare:
    return lambda request_value, expected: compare(parse_date(request_value), expected)


def _like(parts: tuple[str | Literal, ...]) -> Callable[[str], bool]:
    return parts_matcher(parts, arn_segments=False, ignore_case=False)


def _arn_like(parts: tuple[str | Literal, ...]) -> Callable[[str], bool]:
    return parts_matcher(parts, arn_segments=True, ignore_case=False)


_read_number: Prepare = lambda parts: _number(_text(parts))  # noqa: E731
_read_date: Prepare = lambda parts: parse_date(_text(parts))  # noqa: E731
_equal: Compare = operator.eq
_call: Compare = lambda request_value, matcher: bool(matcher(request_value))  # noqa: E731

_STRING_EQUALS = OperatorFamily(_text, _equal, False)
_STRING_IGNORE_CASE = OperatorFamily(lambda parts: _text(parts).lower(), lambda r, p: r.lower() == p, False)
_STRING_LIKE = OperatorFamily(_like, _call, False)
_ARN = OperatorFamily(_arn_like, _call, False)
_IP = OperatorFamily(lambda parts: _network(_text(parts)), _in_network, False)

BASE_OPERATORS: dict[str, OperatorFamily] = {
    "StringEquals": _STRING_EQUALS,
    "StringNotEquals": OperatorFamily(_text, _equal, True),
    "StringEqualsIgnoreCase": _STRING_IGNORE_CASE,
    "StringNotEqualsIgnoreCase": OperatorFamily(_STRING_IGNORE_CASE.prepare, _STRING_IGNORE_CASE.compare, True),
    "StringLike": _STRING_LIKE,
    "StringNotLike": OperatorFamily(_like, _call, True),
    "NumericEquals": OperatorFamily(_read_number, _numeric(operator.eq), False),
    "NumericNotEquals": OperatorFamily(_read_number, _numeric(operator.eq), True),
    "NumericLessThan": OperatorFamily(_read_number, _numeric(operator.lt), False),
    "NumericLessThanEquals": OperatorFamily(_read_number, _numeric(operator.le), False),
    "NumericGreaterThan": OperatorFamily(_read_number, _numeric(operator.gt), False),
    "NumericGreaterThanEquals": OperatorFamily(_read_number, _numeric(operator.ge), False),
    "DateEquals": OperatorFamily(_read_date, _dated(operator.eq), False),
    "DateNotEquals": OperatorFamily(_read_date, _dated(operator.eq), True),
    "DateLessThan": OperatorFamily(_read_date, _dated(operator.lt), False),
    "DateLessThanEquals": OperatorFamily(_read_date, _dated(operator.le), False),
    "DateGreaterThan": OperatorFamily(_read_date, _dated(operator.gt), False),
    "DateGreaterThanEquals": OperatorFamily(_read_date, _dated(operator.ge), False),
    "Bool": OperatorFamily(lambda parts: _text(parts).lower(), lambda r, p: r.lower() == p, False),
    "BinaryEquals": OperatorFamily(lambda parts: _base64(_text(parts)), _binary_equal, False),
    "IpAddress": _IP,
    "NotIpAddress": OperatorFamily(_IP.prepare, _IP.compare, True),
    # "ArnEquals and ArnLike behave identically", likewise the negated pair (condition operators page).
    "ArnEquals": _ARN,
    "ArnLike": _ARN,
    "ArnNotEquals": OperatorFamily(_arn_like, _call, True),
    "ArnNotLike": OperatorFamily(_arn_like, _call, True),
}

NULL_OPERATOR = "Null"
SET_PREFIXES = ("ForAnyValue:", "ForAllValues:")
IF_EXISTS = "IfExists"


@dataclass(frozen=True)
class OperatorName:
    """A condition operator split into its set prefix, base family and IfExists suffix."""

    written: str
    set_prefix: str | None
    base: str
    if_exists: bool


def split_operator(written: str) -> OperatorName | None:
    """Split ``ForAllValues:StringLikeIfExists`` into its parts; ``None`` when AWS does not know it.

    Operator names are matched exactly as AWS spells them. ``Null`` takes neither ``IfExists`` nor a
    set prefix.
    """
    set_prefix = None
    rest = written
    for prefix in SET_PREFIXES:
        if written.startswith(prefix):
            set_prefix, rest = prefix[:-1], written[len(prefix) :]
            break
    if rest == NULL_OPERATOR:
        return OperatorName(written, None, NULL_OPERATOR, False) if set_prefix is None else None
    if_exists = rest.endswith(IF_EXISTS)
    base = rest[: -len(IF_EXISTS)] if if_exists else rest
    if base not in BASE_OPERATORS:
        return None
    return OperatorName(written, set_prefix, base, if_exists)
