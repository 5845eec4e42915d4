"""The sources never run code from files nor reach the network: an ast scan of every module in iam_desktop/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "iam_desktop"

FORBIDDEN_MODULES = {
    "pickle": "pickle runs code from the data it loads",
    "_pickle": "pickle runs code from the data it loads",
    "cPickle": "pickle runs code from the data it loads",
    "dill": "dill runs code from the data it loads",
    "cloudpickle": "cloudpickle runs code from the data it loads",
    "jsonpickle": "jsonpickle runs code from the data it loads",
    "shelve": "shelve is pickle on disk",
    "marshal": "marshal loads code objects",
    "runpy": "runpy runs code from files",
    "code": "the code module runs source text",
    "socket": "no network access at all",
    "ssl": "no network access at all",
    "urllib.request": "no network access at all",
    "http.client": "no network access at all",
    "ftplib": "no network access at all",
    "smtplib": "no network access at all",
    "requests": "no network access at all",
    "httpx": "no network access at all",
    "aiohttp": "no network access at all",
    "boto3": "no network access at all (imports read exported files)",
    "botocore": "no network access at all (imports read exported files)",
}
FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "__import__", "execfile"}
FORBIDDEN_ATTRIBUTE_CALLS = {
    ("os", "system"): "runs a shell",
    ("os", "popen"): "runs a shell",
    ("yaml", "load"): "yaml.load can build arbitrary objects",
    ("yaml", "load_all"): "yaml.load_all can build arbitrary objects",
    ("yaml", "unsafe_load"): "yaml.unsafe_load builds arbitrary objects",
    ("yaml", "full_load"): "yaml.full_load builds arbitrary objects",
    ("pickle", "loads"): "pickle runs code from the data it loads",
    ("pickle", "load"): "pickle runs code from the data it loads",
}
FORBIDDEN_QT_NAMES = {
    "QNetworkAccessManager": "no network access at all",
    "QTcpSocket": "no network access at all",
    "QUdpSocket": "no network access at all",
    "QSslSocket": "no network access at all",
    "QWebEngineView": "no network access at all",
}
OS_EXEC_PREFIXES = ("exec", "spawn")


def _dotted(node: ast.AST) -> str:
    """``a.b.c`` for a Name/Attribute chain ("" for anything else)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def scan_source(source: str, filename: str) -> list[str]:
    """Every forbidden construct in ``source``, as ``file:line: what (why)``."""
    found: list[str] = []
    tree = ast.parse(source, filename)

    def report(node: ast.AST, what: str, why: str) -> None:
        found.append(f"{filename}:{getattr(node, 'lineno', 0)}: {what} ({why})")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                for name in (alias.name, alias.name.split(".")[0]):
                    if name in FORBIDDEN_MODULES:
                        report(node, f"import {alias.name}", FORBIDDEN_MODULES[name])
                        break
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            for candidate in (module, module.split(".")[0]):
                if candidate in FORBIDDEN_MODULES:
                    report(node, f"from {module} import ...", FORBIDDEN_MODULES[candidate])
                    break
            for alias in node.names:
                if f"{module}.{alias.name}" in FORBIDDEN_MODULES:
                    report(node, f"from {module} import {alias.name}", FORBIDDEN_MODULES[f"{module}.{alias.name}"])
                if alias.name in FORBIDDEN_QT_NAMES:
                    report(node, f"from {module} import {alias.name}", FORBIDDEN_QT_NAMES[alias.name])
                if module == "yaml" and (("yaml", alias.name) in FORBIDDEN_ATTRIBUTE_CALLS):
                    report(node, f"from yaml import {alias.name}", FORBIDDEN_ATTRIBUTE_CALLS[("yaml", alias.name)])
                if module == "os" and alias.name in ("system", "popen"):
                    report(node, f"from os import {alias.name}", "runs a shell")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_BUILTINS:
                report(node, f"{func.id}(...)", "runs code")
            dotted = _dotted(func)
            if "." in dotted:
                base, attr = dotted.rsplit(".", 1)
                last_base = base.rsplit(".", 1)[-1]
                if (last_base, attr) in FORBIDDEN_ATTRIBUTE_CALLS:
                    report(node, f"{dotted}(...)", FORBIDDEN_ATTRIBUTE_CALLS[(last_base, attr)])
                if last_base == "os" and attr.startswith(OS_EXEC_PREFIXES):
                    report(node, f"{dotted}(...)", "starts another program")
                if last_base == "builtins" and attr in FORBIDDEN_BUILTINS:
                    report(node, f"{dotted}(...)", "runs code")
                if last_base == "subprocess" or dotted.startswith("subprocess."):
                    for keyword in node.keywords:
                        if keyword.arg == "shell" and not (
                                isinstance(keyword.value, ast.Constant) and keyword.value.value is False):
                            report(node, f"{dotted}(..., shell=...)", "runs a shell")
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_QT_NAMES:
            report(node, node.attr, FORBIDDEN_QT_NAMES[node.attr])
    return found


def _sources() -> list[Path]:
    return sorted(PACKAGE_DIR.rglob("*.py"))


def test_the_package_has_sources_to_scan() -> None:
    assert len(_sources()) >= 10, f"expected the iam_desktop package under {PACKAGE_DIR}"


def test_no_module_runs_code_from_data_or_reaches_the_network() -> None:
    problems: list[str] = []
    for path in _sources():
        problems += scan_source(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE_DIR.parent)))
    assert not problems, "forbidden constructs:\n" + "\n".join(problems)


@pytest.mark.parametrize("snippet", [
    "import pickle",
    "import pickle as p",
    "from pickle import loads",
    "import marshal",
    "import shelve",
    "import socket",
    "import urllib.request",
    "from urllib import request\nfrom urllib.request import urlopen",
    "from http.client import HTTPConnection",
    "import requests",
    "eval(text)",
    "exec(text)",
    "compile(text, 'f', 'exec')",
    "__import__(name)",
    "builtins.eval(text)",
    "os.system(cmd)",
    "os.popen(cmd)",
    "os.execv(path, args)",
    "os.spawnl(0, path)",
    "from os import system",
    "yaml.load(text)",
    "yaml.unsafe_load(text)",
    "from yaml import load",
    "subprocess.run(cmd, shell=True)",
    "subprocess.Popen(cmd, shell=flag)",
    "from PySide6.QtNetwork import QNetworkAccessManager",
    "QtNetwork.QTcpSocket()",
])
def test_the_scanner_catches(snippet: str) -> None:
    assert scan_source(snippet, "sample.py"), f"the scan missed: {snippet}"


@pytest.mark.parametrize("snippet", [
    "import json\njson.loads(text)",
    "subprocess.run([sys.executable, '-m', 'x'], shell=False)",
    "from PySide6.QtNetwork import QLocalSocket, QLocalServer",
    "ast.literal_eval(text)",
    "self.eval_count = 1",
    "re.compile(pattern)",
])
def test_the_scanner_lets_through(snippet: str) -> None:
    assert scan_source(snippet, "sample.py") == []
