"""Benchmark of memory: resident size of the app with a model open in the main window (offscreen).

Run ``python bench/bench_memory.py [--size large] [--runs 3]`` from the project folder. Each run is a fresh
process (``--child``) with scratch settings: it reads its resident size after start-up (Qt imported, no
window), opens the workload's model file (``bench/generated/``) with ``create_main_window(path)``, shows and
paints the window, asks one question in the question panel's access graph, then builds the whole assume-role
graph, reading its resident size (``VmRSS`` of ``/proc/self/status``) after each step and its peak
(``ru_maxrss``) at the end. The target is < 1.5 GB for the large model.
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from workload import child_process_main, model_file, run_child  # noqa: E402

TARGET_MB = 1536.0


def resident_mb() -> float:
    """This process's resident set size now, in MiB (VmRSS; 0 where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _child(size: str) -> dict[str, Any]:
    """Open the model in the main window in this process and return resident sizes in MiB."""
    from PySide6.QtWidgets import QApplication

    from iam_desktop.graph import resource_arn_for
    from iam_desktop.gui.app import create_main_window
    from iam_desktop.gui.panels import QuestionPanel
    from iam_desktop.model.resource_types import resource_type

    path = model_file(size)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    baseline = resident_mb()
    window = create_main_window(path)
    window.show()
    for _ in range(3):
        app.processEvents()
    window.view.viewport().grab()
    opened = resident_mb()
    workspace = window.document.workspace
    user, target = workspace.users()[0], workspace.resources()[0]
    panels = window.findChildren(QuestionPanel)
    action = resource_type(target.resource_type).default_actions[0]
    if panels:
        panels[0].graph.can(user.id, action, resource_arn_for(target, action))
        asked = resident_mb()
        panels[0].graph.assume_graph.expand_all()
    else:
        asked = resident_mb()
    expanded = resident_mb()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    window.close()
    return {"baseline": baseline, "opened": opened, "asked": asked, "expanded": expanded, "peak": peak, "entities": len(workspace),
            "file_mb": path.stat().st_size / 1024 / 1024}


def run(size: str, runs: int) -> dict[str, float]:
    """Run ``runs`` measuring processes and print the medians (MiB)."""
    model_file(size)
    with tempfile.TemporaryDirectory() as scratch:
        results = [run_child(__file__, size, scratch) for _ in range(runs)]
    medians = {key: statistics.median(r[key] for r in results) for key in ("baseline", "opened", "asked", "expanded", "peak")}
    verdict = "meets" if medians["peak"] < TARGET_MB else "MISSES"
    print(f"{size}: {results[0]['entities']} entities, model file {results[0]['file_mb']:.1f} MiB")
    print(f"  resident before opening     {medians['baseline']:7.0f} MiB")
    print(f"  resident with the model     {medians['opened']:7.0f} MiB "
          f"(+{medians['opened'] - medians['baseline']:.0f} MiB)")
    print(f"  after one question          {medians['asked']:7.0f} MiB")
    print(f"  with the whole assume graph {medians['expanded']:7.0f} MiB")
    print(f"  peak (ru_maxrss)            {medians['peak']:7.0f} MiB   ({verdict} the {TARGET_MB:g} MiB target)")
    return medians


def main() -> None:
    """Parse the options; measure in child processes (or, with --child, measure here and print JSON)."""
    child_process_main(__doc__.splitlines()[0], _child, run)


if __name__ == "__main__":
    main()
