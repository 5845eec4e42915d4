"""Benchmark of files: open (parse, validate, build the access graph), save, and import AWS authorization details.

Run ``python bench/bench_files.py [--size medium|large] [--runs 3]`` from the project folder. The model is
the shared deterministic workload (``bench/workload.py``), written once to ``bench/generated/`` as a model
file and as ``aws iam get-account-authorization-details`` JSON (the real shape, from
``export_authorization_details``). Each step is timed ``--runs`` times; the median is reported against the
targets (open < 3 s, save < 1 s, import < 5 s).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from iam_desktop.formats.aws_import import ImportResult, import_authorization_details  # noqa: E402
from iam_desktop.formats.model_file import load_model, save_model  # noqa: E402
from iam_desktop.graph import AccessGraph  # noqa: E402
from iam_desktop.model import Workspace  # noqa: E402
from workload import GENERATED, details_file, machine, model_file  # noqa: E402

TARGETS_S = {"open": 3.0, "save": 1.0, "import": 5.0}


def _timed(step: Callable[[], object], runs: int) -> tuple[float, object]:
    """The median seconds of ``runs`` calls of ``step`` and the last call's result.

    The garbage of earlier calls is collected before each call, outside the timing.
    """
    times, result = [], None
    for _ in range(runs):
        result = None
        gc.collect()
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _open(path: Path) -> tuple[Workspace, AccessGraph]:
    """What opening a model costs before a question: load (parse + validate) and the full assume-role graph."""
    workspace = load_model(path)
    graph = AccessGraph(workspace)
    graph.assume_graph.expand_all()
    return workspace, graph


def run(size: str, runs: int) -> dict[str, float]:
    """Time every step for one workload size; print and return the medians in seconds."""
    path, details = model_file(size), details_file(size)
    print(f"model file: {path.name} ({path.stat().st_size / 1e6:.1f} MB); "
          f"authorization details: {details.name} ({details.stat().st_size / 1e6:.1f} MB)")
    figures: dict[str, float] = {}
    figures["load"], workspace = _timed(lambda: load_model(path), runs)
    assert isinstance(workspace, Workspace)

    def build_graph() -> AccessGraph:
        graph = AccessGraph(workspace)
        graph.assume_graph.expand_all()
        graph.close()
        return graph

    figures["graph"], graph = _timed(build_graph, runs)
    assert isinstance(graph, AccessGraph)
    edges = graph.assume_graph.graph.number_of_edges()
    figures["open"], _ = _timed(lambda: _open(path), runs)
    target = GENERATED / f"saved-{size}.iamd.json"
    figures["save"], _ = _timed(lambda: save_model(workspace, target), runs)
    figures["import"], result = _timed(lambda: import_authorization_details(details.read_bytes()), runs)
    assert isinstance(result, ImportResult)
    imported = result.workspace
    print(f"{size}: {len(workspace)} entities, {edges} allowed assume-role edges; "
          f"import gave {len(imported)} entities")
    print(f"  load (parse + validate)         {figures['load']:7.2f} s")
    print(f"  access graph (assume, expanded) {figures['graph']:7.2f} s")
    for step in ("open", "save", "import"):
        verdict = "meets" if figures[step] < TARGETS_S[step] else "MISSES"
        print(f"  {step:<31} {figures[step]:7.2f} s   ({verdict} the {TARGETS_S[step]:g} s target)")
    return figures


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large", choices=("small", "medium", "large"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    run(args.size, args.runs)


if __name__ == "__main__":
    main()
