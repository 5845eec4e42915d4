"""Bad input files given to the command line: exit code 2 and one line on stderr naming the file, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iam_desktop import cli


def _refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = cli.main(list(argv))
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0], err
    return lines[0]


def _write(folder: Path, name: str, data: bytes) -> str:
    path = folder / name
    path.write_bytes(data)
    return str(path)


def test_a_missing_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "missing.json")
    assert missing in _refused(capsys, "escalations", missing)


def test_a_truncated_model_is_refused_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = _write(tmp_path, "m.iamd.json", b'{"format": "iam-desktop", "version": 1, "entities": [')
    assert "line" in _refused(capsys, "escalations", model)


@pytest.mark.parametrize("command", [["escalations"], ["validate"]])
def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            command: list[str]) -> None:
    path = _write(tmp_path, "latin1.json", '{"Statement": "caf\xe9"}'.encode("latin-1"))
    assert "UTF-8" in _refused(capsys, *command, path)


def test_a_deeply_nested_input_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "deep.json", b"[" * 50_000 + b"]" * 50_000)
    assert "nested" in _refused(capsys, "escalations", path)


def test_a_file_with_a_huge_number_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "huge.json", b'{"UserDetailList": [], "N": ' + b"9" * 5000 + b"}")
    _refused(capsys, "escalations", path)


def test_a_policy_with_nan_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "nan.json", b'{"Version": "2012-10-17", "Statement": NaN}')
    assert cli.main(["validate", path]) == 1


def test_an_import_into_a_missing_folder_is_refused(shared_data: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    sample = shared_data / "aws-authorization-details" / "iamspy-basic-allow.json"
    output = str(tmp_path / "no" / "such" / "out.iamd.json")
    assert "out.iamd.json" in _refused(capsys, "import", str(sample), "-o", output)
    assert not (tmp_path / "no").exists()


def test_a_requests_file_with_bad_lines_reports_each_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          shared_data: Path) -> None:
    sample = shared_data / "aws-authorization-details" / "iamspy-basic-allow.json"
    requests = _write(tmp_path, "r.jsonl", b"not json\n[1]\n")
    code = cli.main(["check", str(sample), "--requests", requests])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 2 and [line["line"] for line in lines] == [1, 2]
