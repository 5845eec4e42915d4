"""Run every benchmark for the medium and large workloads and print one table of figures against their targets.

Run ``QT_QPA_PLATFORM=offscreen python bench/run_all.py [--sizes medium large] [--repeat 1] [--only files]``
from the project folder. Each benchmark runs as its own process (``--repeat`` times; the table shows the
median of each figure) and its output is kept in ``bench/generated/run_all-<bench>-<size>.txt``. Figures
are read from the benchmarks' printed lines; a figure a benchmark did not print shows as "-".
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from workload import GENERATED, machine  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Figure:
    """One number a benchmark prints: where to find it, its unit and its target (None: no target)."""

    label: str
    pattern: str
    unit: str
    target: float | None = None
    higher_is_better: bool = False


@dataclass(frozen=True)
class Bench:
    """A benchmark script, whether it takes ``--size``, and the figures read from its output."""

    name: str
    script: str
    sized: bool
    figures: tuple[Figure, ...]
    extra: tuple[str, ...] = ()


BENCHES = (
    Bench("engine", "bench_engine.py", False, (
        Figure("decide() warm", r"decide\(\):\s+([\d,]+) calls/s \(compiled", "calls/s", None, True),
        Figure("evaluate() warm", r"evaluate\(\):\s+([\d,]+) calls/s \(compiled", "calls/s", None, True),
        Figure("decide() cold", r"decide\(\):\s+([\d,]+) calls/s \(cold", "calls/s", None, True),
        Figure("evaluate() cold", r"evaluate\(\):\s+([\d,]+) calls/s \(cold", "calls/s", None, True),
    )),
    Bench("paths", "bench_paths.py", True, (
        Figure("can() median", r"can\(\) median: ([\d.]+) ms", "ms", 50.0),
        Figure("can() p95", r"p95: ([\d.]+) ms", "ms"),
        Figure("can() chains 2+ median", r"chains of 2\+ roles.*can\(\) median ([\d.]+) ms", "ms", 50.0),
    )),
    Bench("matrix", "bench_matrix.py", True, (
        Figure("matrix 1 core rate", r"1 worker\(s\):.*?steady ([\d,]+) cells/s", "cells/s", None, True),
        Figure("matrix 1 core whole", r"1 worker\(s\):(?:.|\n)*?(?:estimated|measured) ([\d,]+) s", "s"),
        Figure("matrix 2 cores rate", r"2 worker\(s\):.*?steady ([\d,]+) cells/s", "cells/s", None, True),
        Figure("matrix 2 cores whole", r"2 worker\(s\):(?:.|\n)*?(?:estimated|measured) ([\d,]+) s", "s", 20.0),
    )),
    Bench("files", "bench_files.py", True, (
        Figure("load (parse+validate)", r"load \(parse \+ validate\)\s+([\d.]+) s", "s"),
        Figure("open (load + graph)", r"  open\s+([\d.]+) s", "s", 3.0),
        Figure("save", r"  save\s+([\d.]+) s", "s", 1.0),
        Figure("import auth. details", r"  import\s+([\d.]+) s", "s", 5.0),
    )),
    Bench("canvas", "bench_canvas.py", True, (
        Figure("first paint", r"time to first paint\s+([\d.]+) ms", "ms", 4000.0),
        Figure("pan/zoom frame (worst)", r"pan/zoom frame \(worst zoom\)\s+([\d.]+) ms", "ms", 30.0),
        Figure("select + answer", r"select \+ answer\s+([\d.]+) ms", "ms", 100.0),
    )),
    Bench("memory", "bench_memory.py", True, (
        Figure("resident with model", r"resident with the model\s+([\d.]+) MiB", "MiB"),
        Figure("peak RSS", r"peak \(ru_maxrss\)\s+([\d.]+) MiB", "MiB", 1536.0),
    )),
)


def _run(bench: Bench, size: str | None) -> str:
    command = [sys.executable, str(BENCH_DIR / bench.script), *bench.extra]
    if size is not None:
        command += ["--size", size]
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    output = done.stdout + (f"\n[exit {done.returncode}]\n{done.stderr[-4000:]}" if done.returncode else "")
    (GENERATED / f"run_all-{bench.name}-{size or 'fixed'}.txt").write_text(output, encoding="utf-8")
    return output


def _value(figure: Figure, outputs: list[str]) -> float | None:
    found = [float(m.group(1).replace(",", "")) for out in outputs if (m := re.search(figure.pattern, out))]
    return statistics.median(found) if found else None


def main() -> None:
    """Run the chosen benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["medium", "large"], choices=("small", "medium", "large"))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", nargs="+", choices=[b.name for b in BENCHES], default=[b.name for b in BENCHES])
    args = parser.parse_args()
    GENERATED.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    rows: list[tuple[str, str, str, str, str]] = []
    for bench in (b for b in BENCHES if b.name in args.only):
        for size in args.sizes if bench.sized else [None]:
            started = time.perf_counter()
            outputs = [_run(bench, size) for _ in range(args.repeat)]
            print(f"ran {bench.name} {size or ''} in {time.perf_counter() - started:.0f} s", flush=True)
            for figure in bench.figures:
                value = _value(figure, outputs)
                target = "" if figure.target is None else f"< {figure.target:g} {figure.unit}"
                verdict = "" if value is None or figure.target is None else (
                    "meets" if (value > figure.target if figure.higher_is_better else value < figure.target)
                    else "MISSES")
                shown = "-" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".") + f" {figure.unit}"
                rows.append((bench.name, size or "-", figure.label, shown, f"{target} {verdict}".strip()))
    widths = [max(len(row[i]) for row in rows + [("bench", "size", "figure", "value", "target")]) for i in range(5)]
    for row in [("bench", "size", "figure", "value", "target"), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


if __name__ == "__main__":
    main()
