"""Random command lines through cli.main in-process (and a few as a subprocess): exit 0, 1 or 2, and a refusal is
one line on stderr naming the problem; no traceback, no other exception."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz_budget import fuzz_settings, tried
from fuzz_mutations import sample_workspaces
from iam_desktop import cli
from iam_desktop.formats.model_file import dumps_model

PROJECT_DIR = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "aws-authorization-details" / \
    "cloudmapper-iam-get-account-authorization-details.json"
FILES = {
    "model": lambda: dumps_model(sample_workspaces()[0]),
    "authz": lambda: SAMPLE.read_text(encoding="utf-8") if SAMPLE.is_file() else "{}",
    "policy": lambda: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
    "bad_policy": lambda: '{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}',
    "truncated": lambda: dumps_model(sample_workspaces()[0])[:500],
    "deep": lambda: "[" * 50_000 + "]" * 50_000,
    "huge_int": lambda: '{"UserDetailList": [], "N": ' + "9" * 5000 + "}",
    "nan": lambda: '{"Version": "2012-10-17", "Statement": NaN}',
    "latin1": lambda: "caf\xe9",
    "empty": lambda: "",
    "requests": lambda: "\n".join([
        json.dumps({"principal": "alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::logs"}),
        "not json", json.dumps([1]), json.dumps({"principal": 1}),
        json.dumps({"principal": "nobody", "action": "x", "resource": "arn:aws:s3:::logs", "context": {"k": [1]}})]),
    "org": lambda: json.dumps({"Root": {"Name": "Root"}}),
}
SUBCOMMANDS = sorted(cli.SUBCOMMANDS)
FLAGS = ["--principal", "--action", "--resource", "--expect", "--requests", "--context", "--max-depth", "--json",
         "--actions", "--principals", "--resources", "--csv", "--scp", "--resource-policy", "-o", "--type",
         "--help", "--bogus"]
VALUES = ["alice", "user-alice", "arn:aws:iam::111111111111:user/alice", "*", "lambda.amazonaws.com", "s3:GetObject",
          "sts:AssumeRole", "arn:aws:s3:::logs", "arn:aws:s3:::logs/*", "not-an-arn", "allow", "deny", "identity",
          "trust", "aws:SourceIp=203.0.113.5", "novalue", "=x", "-1", "0", "2", "x", "", "\x7f", "é",
          "<script>", "a,b,,c", "arn:aws:s3:::logs=policy"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("cli")
    paths = {}
    for name, make in FILES.items():
        path = folder / f"{name}.json"
        data = make()
        path.write_bytes(data.encode("latin-1") if name == "latin1" else data.encode("utf-8"))
        paths[name] = str(path)
    paths["missing"] = str(folder / "missing.json")
    paths["directory"] = str(folder)
    paths["output"] = str(folder / "out.iamd.json")
    paths["unwritable"] = str(folder / "no" / "such" / "dir" / "out.iamd.json")
    return paths


@st.composite
def command_lines(draw: st.DrawFn, paths: dict[str, str]) -> list[str]:
    """A subcommand, usually a file, then flags with values from a pool (and now and then random text)."""
    file_names = sorted(paths)
    # no control characters: messages echo arguments, and an argument holding a newline makes two lines
    text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)
    token = st.sampled_from(VALUES) | st.sampled_from(file_names).map(paths.__getitem__) | text
    argv = [draw(st.sampled_from(SUBCOMMANDS + ["nonsense"]))]
    if draw(st.integers(0, 9)) > 0:
        argv.append(paths[draw(st.sampled_from(file_names))])
    for _ in range(draw(st.integers(0, 6))):
        argv.append(draw(st.sampled_from(FLAGS)))
        if draw(st.integers(0, 4)) > 0:
            argv.append(draw(token))
    return argv


def run_in_process(argv: list[str], capsys: pytest.CaptureFixture[str],
                   workdir: str | None = None) -> tuple[int, str, str]:
    """cli.main(argv) run in ``workdir`` (so relative outputs land there): its code, stdout and stderr."""
    capsys.readouterr()
    try:
        with contextlib.chdir(workdir or os.getcwd()):
            code = cli.main(argv)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 2
    out, err = capsys.readouterr()
    return code, out, err


def check_outcome(argv: list[str], code: int, err: str) -> None:
    """Exit 0, 1 or 2; a refusal ends with one line saying what is wrong; never a traceback."""
    assert code in (0, 1, 2), f"{argv}: exit code {code}"
    assert "Traceback" not in err, f"{argv}: traceback on stderr:\n{err}"
    if code == 2:
        lines = [line for line in err.splitlines() if line.strip() and not line.startswith("warning: ")]
        assert lines, f"{argv}: exit 2 without a message"
        assert "error" in lines[-1], f"{argv}: the last stderr line is not the error: {err!r}"
        if not lines[0].startswith("usage:"):  # argparse prints its usage before the error line
            assert len(lines) == 1, f"{argv}: a refusal of more than one line: {err!r}"


@fuzz_settings(200)
@given(data=st.data())
def test_random_command_lines(files: dict[str, str], capsys: pytest.CaptureFixture[str], data: st.DataObject) -> None:
    argv = data.draw(command_lines(files))
    tried("cli.in_process")
    code, _out, err = run_in_process(argv, capsys, files["directory"])
    tried(f"cli.in_process (exit {code})")
    check_outcome(argv, code, err)


SUBPROCESS_CASES = [
    pytest.param(["check", "{missing}", "--principal", "a", "--action", "s3:GetObject", "--resource",
                  "arn:aws:s3:::b"], id="check missing file"),
    pytest.param(["who-can", "{truncated}", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::logs"],
                 id="who-can truncated model"),
    pytest.param(["matrix", "{latin1}"], id="matrix latin-1 file"),
    pytest.param(["validate", "{bad_policy}"], id="validate invalid policy"),
    pytest.param(["import", "{authz}", "-o", "{unwritable}"], id="import into missing folder"),
    pytest.param(["check", "{model}", "--principal", "alice", "--action", "s3:GetObject", "--resource",
                  "not-an-arn"], id="check malformed arn"),
    pytest.param(["what-can", "{directory}", "--principal", "alice"], id="what-can a directory"),
]


@pytest.mark.parametrize("argv", SUBPROCESS_CASES)
def test_refusals_as_a_subprocess(files: dict[str, str], argv: list[str]) -> None:
    args = [a.format(**files) for a in argv]
    tried("cli.subprocess")
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR))
    done = subprocess.run([sys.executable, "-m", "iam_desktop", *args], capture_output=True, text=True, env=env,
                          cwd=str(PROJECT_DIR), timeout=120)
    check_outcome(args, done.returncode, done.stderr)
    expected = 1 if argv[0] == "validate" else 2
    assert done.returncode == expected, (done.returncode, done.stderr)
