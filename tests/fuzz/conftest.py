"""Fuzz-test set-up: the --fuzz-long flag and a summary of how many inputs each fuzz target was fed."""

from __future__ import annotations

import os

import pytest

from fuzz_budget import LONG_ENV, LONG_FACTOR, TRIED


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add --fuzz-long.

    pytest reads options only from conftest files it loads before parsing the command line, so the flag works
    when tests/fuzz (or a file in it) is named: ``pytest tests/fuzz --fuzz-long``. For ``pytest tests`` set
    IAM_DESKTOP_FUZZ_LONG=1 instead (or declare the same option in tests/conftest.py: it is then not added twice).
    """
    try:
        parser.addoption("--fuzz-long", action="store_true", default=False,
                         help=f"run every fuzz test with {LONG_FACTOR}x more hypothesis examples")
    except ValueError:  # already declared by a conftest closer to the root
        return


def pytest_configure(config: pytest.Config) -> None:
    """Turn the flag into the environment variable the test modules read when they are imported."""
    if config.getoption("--fuzz-long", default=False):
        os.environ[LONG_ENV] = "1"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the number of inputs each fuzz target tried."""
    if not TRIED:
        return
    terminalreporter.section("fuzz inputs tried")
    for target, count in sorted(TRIED.items()):
        terminalreporter.write_line(f"{target}: {count}")
    inputs = sum(count for target, count in TRIED.items() if "(" not in target)
    terminalreporter.write_line(f"total inputs: {inputs}")
