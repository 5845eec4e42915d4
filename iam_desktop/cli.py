"""The headless command line: check, who-can, what-can, matrix, escalations, import and validate."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Mapping, NoReturn, Sequence, TextIO

from iam_desktop.formats.aws_common import AwsImportError
from iam_desktop.formats.aws_import import import_authorization_details
from iam_desktop.formats.aws_org import import_organization
from iam_desktop.formats.aws_resources import import_resource_policies
from iam_desktop.formats.json_text import JsonTextError, decode_utf8, format_path, parse_json_bytes, parse_json_text
from iam_desktop.formats.model_file import ModelFileError, loads_model, save_model
from iam_desktop.graph import DEFAULT_MAX_DEPTH, AccessGraph, resource_arn_for
from iam_desktop.graph.parallel import matrix_in_parallel
from iam_desktop.graph.render import answer_json, answer_text, finding_json
from iam_desktop.model import ModelError, Resource, Workspace
from iam_desktop.model.callers import AuthorizationError
from iam_desktop.policy import POLICY_TYPES, PolicyParseError, parse_policy

SUBCOMMANDS = frozenset({"check", "who-can", "what-can", "matrix", "escalations", "import", "validate"})
"""The first arguments that make ``python -m iam_desktop`` run the command line instead of the GUI."""

_AUTHZ_KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
Context = dict[str, tuple[str, ...]]


class UsageError(Exception):
    """Bad input from the command line or its files; the message is printed on one line (exit code 2)."""


# ----- inputs ----------------------------------------------------------------------------------------------
def _read_bytes(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {what} {path!r}: {error.strerror or error}") from None


def _read_text(path: str, what: str) -> str:
    """A UTF-8 file's text (a leading byte-order mark dropped); bad encodings are usage errors with the place."""
    try:
        return decode_utf8(_read_bytes(path, what))
    except JsonTextError as error:
        raise UsageError(f"{what} {path!r}: {error}") from None


def _read_json(path: str, what: str) -> Any:
    try:
        return parse_json_bytes(_read_text(path, what))
    except JsonTextError as error:
        where = f" at {format_path(error.path)}" if error.path else ""
        raise UsageError(f"{what} {path!r} is not acceptable JSON{where}: {error}") from None


def load_workspace(path: str, scps: Sequence[str] = (), resource_policies: Sequence[str] = ()) -> Workspace:
    """A model file or a ``get-account-authorization-details`` export (told apart by its keys), plus extras.

    ``scps`` are organization files (root with children and their SCPs/RCPs); ``resource_policies`` are files
    with a list of ``{Resource, Policy, Account}`` or ``ARN=FILE`` pairs. Raises UsageError.
    """
    data = _read_json(path, "model")
    try:
        if isinstance(data, Mapping) and data.get("format") == "iam-desktop":
            workspace = loads_model(Path(path).read_bytes(), path)
        elif isinstance(data, (Mapping, list)) and _looks_like_authorization_details(data):
            workspace = import_authorization_details(data).workspace
            workspace.name = Path(path).stem
        else:
            raise UsageError(f"{path!r} is neither an IAM Desktop model (\"format\": \"iam-desktop\") nor "
                             "get-account-authorization-details output (UserDetailList, RoleDetailList, ...)")
        for scp in scps:
            import_organization(workspace, _read_json(scp, "organization file"))
        for item in resource_policies:
            arn, separator, file_name = item.partition("=")
            if separator and arn.startswith("arn:"):
                import_resource_policies(workspace, _read_json(file_name, "resource policy"), resource_arn=arn)
            else:
                import_resource_policies(workspace, _read_json(item, "resource policy file"))
    except ModelFileError as error:
        raise UsageError(str(error)) from None
    except (AwsImportError, ModelError) as error:
        raise UsageError(f"{path}: {error}") from None
    return workspace


def _looks_like_authorization_details(data: Mapping[str, Any] | list[Any]) -> bool:
    pages = data if isinstance(data, list) else [data]
    return bool(pages) and all(isinstance(p, Mapping) and any(k in p for k in _AUTHZ_KEYS) for p in pages)


def parse_context(pairs: Sequence[str]) -> Context:
    """``KEY=VALUE`` strings to a context; a key given several times gets all its values."""
    context: dict[str, list[str]] = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key.strip():
            raise UsageError(f"bad --context {pair!r}: expected KEY=VALUE, e.g. aws:SourceIp=203.0.113.5")
        context.setdefault(key.strip(), []).append(value)
    return {key: tuple(values) for key, values in context.items()}


def _context_from_json(value: Any, where: str) -> Context:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise UsageError(f"{where}: context must be an object of key to value or list of values")
    found: Context = {}
    for key, values in value.items():
        items = values if isinstance(values, list) else [values]
        found[str(key)] = tuple(v if isinstance(v, str) else json.dumps(v) for v in items)
    return found


def _check_arn(arn: str) -> str:
    if arn != "*" and (not arn.startswith("arn:") or len(arn.split(":", 5)) < 6):
        raise UsageError(f"malformed resource ARN {arn!r}: expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE")
    return arn


def _principal(graph: AccessGraph, reference: str) -> str:
    """The model id for a principal reference, or the reference itself (ARNs outside the model); checks it."""
    graph.context.caller(reference)
    return graph.context.entity_id_for(reference) or reference


def _resource_id(graph: AccessGraph, reference: str) -> str:
    entity_id = graph.context.entity_id_for(reference)
    if entity_id is None or not isinstance(graph.workspace.get(entity_id), Resource):
        raise UsageError(f"no resource {reference!r} in the model (give its id, name or ARN)")
    return entity_id


def _split(values: Sequence[str] | None) -> list[str] | None:
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


# ----- commands --------------------------------------------------------------------------------------------
def _graph(args: argparse.Namespace) -> AccessGraph:
    return AccessGraph(load_workspace(args.model, args.scp or (), args.resource_policy or ()))


def _emit(out: TextIO, args: argparse.Namespace, data: Any, text: str) -> None:
    out.write((json.dumps(data, indent=2) if args.json else text) + "\n")


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    graph = _graph(args)
    if args.requests:
        return _check_many(graph, args, out)
    if not (args.principal and args.action and args.resource):
        raise UsageError("check needs --principal, --action and --resource (or --requests FILE.jsonl)")
    answer = graph.can(_principal(graph, args.principal), args.action, _check_arn(args.resource),
                       parse_context(args.context or ()), args.max_depth)
    _emit(out, args, answer_json(answer, graph.workspace), answer_text(answer, graph.workspace))
    if args.expect is not None and answer.allowed != (args.expect == "allow"):
        return 1
    return 0


def _check_many(graph: AccessGraph, args: argparse.Namespace, out: TextIO) -> int:
    lines = _read_text(args.requests, "requests").splitlines()
    status = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{args.requests}, line {number}"
        try:
            item = parse_json_text(line)
            if not isinstance(item, Mapping) or not all(isinstance(item.get(k), str) for k in
                                                        ("principal", "action", "resource")):
                raise UsageError(f"{where}: expected {{\"principal\", \"action\", \"resource\", \"context\"}}")
            answer = graph.can(_principal(graph, item["principal"]), item["action"], _check_arn(item["resource"]),
                               _context_from_json(item.get("context"), where), args.max_depth)
            result = answer_json(answer, graph.workspace)
            if isinstance(item.get("expect"), str) and answer.allowed != (item["expect"] == "allow"):
                status = max(status, 1)
        except (UsageError, AuthorizationError, JsonTextError) as error:
            result, status = {"line": number, "error": f"{where}: {error}"}, 2
        out.write(json.dumps(result) + "\n")
    return status


def cmd_who_can(args: argparse.Namespace, out: TextIO) -> int:
    graph = _graph(args)
    answers = graph.who_can(args.action, _check_arn(args.resource), parse_context(args.context or ()),
                            args.max_depth)
    ws = graph.workspace
    data = {"action": args.action, "resource": args.resource, "principals": [answer_json(a, ws) for a in answers]}
    text = "\n".join(f"{ws.arn_of(a.principal_id)}: {'directly' if a.evaluation.decision.value == 'allow' else 'through ' + str(len(a.paths)) + ' path(s)'}"
                     for a in answers) or "nobody in the model"
    _emit(out, args, data, text)
    return 0


def cmd_what_can(args: argparse.Namespace, out: TextIO) -> int:
    graph = _graph(args)
    principal = _principal(graph, args.principal)
    answers = graph.what_can(principal, _split(args.action), parse_context(args.context or ()), args.max_depth)
    data = {"principal": args.principal, "allowed": [answer_json(a, graph.workspace) for a in answers]}
    text = "\n".join(f"{a.action} on {a.resource}" + ("" if a.evaluation.decision.value == "allow" else
                                                         f" (through {len(a.paths)} path(s))")
                     for a in answers) or "nothing on the modelled resources"
    _emit(out, args, data, text)
    return 0


def cmd_matrix(args: argparse.Namespace, out: TextIO) -> int:
    graph = _graph(args)
    principals = [_principal(graph, p) for p in _split(args.principals) or graph.principal_ids()]
    resources = [_resource_id(graph, r) for r in _split(args.resources) or [r.id for r in graph.workspace.resources()]]
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs needs a number of cores of at least 1")
    matrix = matrix_in_parallel(graph, principals, resources, _split(args.actions),
                                context=parse_context(args.context or ()), max_depth=args.max_depth, cores=args.jobs)
    if args.counts:
        counts = {decision.value: count for decision, count in matrix.decision_counts().items()}
        _emit(out, args, counts, "\n".join(f"{decision}: {count}" for decision, count in counts.items()))
        return 0
    ws = graph.workspace
    rows = ({"principal": p, "principal_arn": ws.arn_of(p) if p in ws else p, "resource": r,
             "resource_arn": resource_arn_for(ws.get(r), a), "action": a, "decision": d.value}  # type: ignore[arg-type]
            for (p, r, a), d in matrix.cells.items())
    if args.csv:
        writer = csv.DictWriter(out, fieldnames=["principal", "principal_arn", "resource", "resource_arn", "action",
                                                 "decision"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif args.json:
        _emit(out, args, {"cells": list(rows)}, "")
    else:
        for row in rows:
            out.write(f"{row['principal_arn']}  {row['action']}  {row['resource_arn']}: {row['decision']}\n")
    return 0


def cmd_escalations(args: argparse.Namespace, out: TextIO) -> int:
    graph = _graph(args)
    findings = graph.escalations()
    data = {"findings": [finding_json(f, graph.workspace) for f in findings]}
    text = "\n".join(f"[{f.pattern}] {f.description}\n    because {f.edge_reason}" for f in findings)
    _emit(out, args, data, text or "no escalation found")
    return 0


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    data = _read_json(args.authz, "authorization details")
    if not isinstance(data, (Mapping, list)) or not _looks_like_authorization_details(data):
        raise UsageError(f"{args.authz!r} is not get-account-authorization-details output")
    try:
        result = import_authorization_details(data)
        workspace = result.workspace
        warnings = list(result.warnings)
        for scp in args.scp or ():
            warnings += import_organization(workspace, _read_json(scp, "organization file")).warnings
        for item in args.resource_policy or ():
            arn, separator, file_name = item.partition("=")
            if separator and arn.startswith("arn:"):
                imported = import_resource_policies(workspace, _read_json(file_name, "resource policy"),
                                                    resource_arn=arn)
            else:
                imported = import_resource_policies(workspace, _read_json(item, "resource policy file"))
            warnings += imported.warnings
        workspace.name = Path(args.output).name.split(".")[0]
        save_model(workspace, args.output)
    except (AwsImportError, ModelError, ModelFileError) as error:
        raise UsageError(str(error)) from None
    for warning in warnings:
        sys.stderr.write(f"warning: {warning}\n")
    summary = {"output": args.output, "entities": len(workspace), "warnings": warnings}
    _emit(out, args, summary, f"wrote {args.output}: {len(workspace)} entities, {len(warnings)} warning(s)")
    return 0


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    text = _read_text(args.policy, "policy")
    try:
        document = parse_policy(text, policy_type=args.type)
    except PolicyParseError as error:
        issues = [str(i) for i in error.issues]
        _emit(out, args, {"valid": False, "errors": issues, "warnings": []},
              "\n".join([f"{args.policy}: not a valid {args.type} policy", *issues]))
        return 1
    warnings = [str(w) for w in document.warnings]
    _emit(out, args, {"valid": True, "errors": [], "warnings": warnings},
          "\n".join([f"{args.policy}: valid {args.type} policy, {len(document.statements)} statement(s)", *warnings]))
    return 0


# ----- parser ----------------------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr (exit code 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="model file (.iamd.json) or get-account-authorization-details JSON")
    parser.add_argument("--scp", action="append", metavar="FILE", help="organization tree with SCPs/RCPs")
    parser.add_argument("--resource-policy", action="append", metavar="ARN=FILE|FILE",
                        help="a resource policy for ARN, or a list of {Resource, Policy, Account}")
    parser.add_argument("--context", action="append", metavar="KEY=VALUE",
                        help="a condition key value; repeat a key for several values")
    parser.add_argument("--max-depth", type=int, default=DEFAULT_MAX_DEPTH,
                        help=f"longest assume-role chain (default {DEFAULT_MAX_DEPTH})")
    parser.add_argument("--json", action="store_true", help="print JSON")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(prog="iam-desktop", description="AWS IAM access questions, offline.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = commands.add_parser("check", help="can a principal do an action on a resource, and why")
    _inputs(check)
    check.add_argument("--principal", help="name, id, ARN, assumed-role session ARN, service name or *")
    check.add_argument("--action")
    check.add_argument("--resource", help="resource ARN")
    check.add_argument("--expect", choices=("allow", "deny"), help="exit 1 unless the answer is this")
    check.add_argument("--requests", metavar="FILE.jsonl", help="one JSON request per line; one JSON answer each")
    who = commands.add_parser("who-can", help="every principal that can do an action on a resource")
    _inputs(who)
    who.add_argument("--action", required=True)
    who.add_argument("--resource", required=True)
    what = commands.add_parser("what-can", help="what a principal can do on the modelled resources")
    _inputs(what)
    what.add_argument("--principal", required=True)
    what.add_argument("--action", action="append", help="actions to ask (default: each resource type's own)")
    matrix = commands.add_parser("matrix", help="decisions for principals x resources x actions")
    _inputs(matrix)
    matrix.add_argument("--actions", action="append", help="comma-separated actions (default: per resource type)")
    matrix.add_argument("--principals", action="append", help="comma-separated principals (default: all)")
    matrix.add_argument("--resources", action="append", help="comma-separated resources (default: all)")
    output = matrix.add_mutually_exclusive_group()
    output.add_argument("--csv", action="store_true", help="print CSV")
    output.add_argument("--counts", action="store_true", help="print only how many cells hold each decision")
    matrix.add_argument("--jobs", type=int, metavar="N", help="cores to compute on (default: all)")
    escalations = commands.add_parser("escalations", help="privilege-escalation findings")
    _inputs(escalations)
    imported = commands.add_parser("import", help="turn AWS exports into a model file")
    imported.add_argument("authz", help="get-account-authorization-details JSON")
    imported.add_argument("--scp", action="append", metavar="FILE")
    imported.add_argument("--resource-policy", action="append", metavar="ARN=FILE|FILE")
    imported.add_argument("-o", "--output", required=True, help="the model file to write")
    imported.add_argument("--json", action="store_true")
    validate = commands.add_parser("validate", help="check a policy document (exit 1 when invalid)")
    validate.add_argument("policy", help="policy JSON file")
    validate.add_argument("--type", default="identity", choices=sorted(POLICY_TYPES))
    validate.add_argument("--json", action="store_true")
    return parser


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "check": cmd_check, "who-can": cmd_who_can, "what-can": cmd_what_can, "matrix": cmd_matrix,
    "escalations": cmd_escalations, "import": cmd_import, "validate": cmd_validate,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns 0 (done), 1 (expectation not met / invalid policy) or 2 (bad input).

    Parameters
    ----------
    argv
        The arguments after the program name (``sys.argv[1:]`` when None).
    """
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        return _COMMANDS[args.command](args, sys.stdout)
    except (UsageError, AuthorizationError) as error:
        sys.stderr.write(f"iam-desktop {args.command}: error: {error}\n")
        return 2
    except BrokenPipeError:  # the reader (e.g. ``| head``) stopped early: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
