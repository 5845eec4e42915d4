"""Benchmark of the full access matrix: every principal x every resource x 5 actions, over 1 and 2 processes.

Run ``python bench/bench_matrix.py [--size medium] [--principals 32] [--workers 1 2]`` from the project
folder. Each worker process (spawned, as on macOS and Windows) opens the model file written to
``bench/generated/`` from the shared deterministic workload, builds an ``AccessGraph`` and computes
``AccessGraph.matrix`` for its share of the principals (every ``workers``-th one), a few principals at a
time, streaming its progress to the parent, which prints it. Each resource is asked 5 actions of its service
(its type's default actions first). ``--principals N`` computes an evenly spread sample of N principals
(0 = all of them) and extrapolates the time of the whole matrix: start-up, the slowest first chunk (caches
filling up), then the rest at the workers' summed steady rate (cells/s after their first chunk). The target
is the whole medium matrix (about 4 million cells) in under 20 s on both cores.

``--app`` also times what the app and the CLI run, ``matrix_in_parallel`` (this process and one worker
process a core, streaming rows), on the whole model: with five actions for every resource (about 4 million
cells for the medium model) and with each resource type's default actions.
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from iam_desktop.formats.model_file import load_model  # noqa: E402
from iam_desktop.graph import AccessGraph  # noqa: E402
from iam_desktop.graph.parallel import core_count, matrix_in_parallel  # noqa: E402
from iam_desktop.model.resource_types import resource_type  # noqa: E402
from workload import machine, model_file  # noqa: E402

TARGET_S = 20.0
ACTIONS_PER_RESOURCE = 5
CHUNK = 4
"""Principals per matrix() call: the unit of progress reports."""
_EXTRA_ACTIONS = {
    "s3": ("s3:GetObjectTagging", "s3:PutObjectAcl"), "dynamodb": ("dynamodb:DeleteItem", "dynamodb:UpdateItem"),
    "lambda": ("lambda:GetPolicy", "lambda:ListTags"), "sqs": ("sqs:GetQueueAttributes", "sqs:PurgeQueue"),
    "sns": ("sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic", "sns:DeleteTopic"),
    "kms": ("kms:DescribeKey", "kms:ReEncryptFrom"),
    "secretsmanager": ("secretsmanager:PutSecretValue", "secretsmanager:ListSecretVersionIds",
                       "secretsmanager:DeleteSecret"),
}


def actions_for(type_name: str) -> tuple[str, ...]:
    """Five actions of a resource type's service: its default actions, then others of the same service."""
    defaults = tuple(a for a in resource_type(type_name).default_actions if a != "*")
    service = defaults[0].split(":", 1)[0]
    return tuple(dict.fromkeys(defaults + _EXTRA_ACTIONS[service]))[:ACTIONS_PER_RESOURCE]


def chosen_principals(principals: list[str], sample: int) -> list[str]:
    """All principals (``sample`` 0) or ``sample`` of them spread evenly over the model's order."""
    if sample <= 0 or sample >= len(principals):
        return principals
    step = len(principals) / sample
    return [principals[int(index * step)] for index in range(sample)]


Report = tuple[str, int, Any]
"""A worker's message: ("ready" | "cells" | "done", worker index, value)."""


def worker(path: str, index: int, workers: int, sample: int, reports: "multiprocessing.Queue[Report]") -> None:
    """Open the model, compute the matrix rows of every ``workers``-th chosen principal, report as it goes."""
    workspace = load_model(path)
    graph = AccessGraph(workspace)
    mine = chosen_principals(graph.principal_ids(), sample)[index::workers]
    by_type: dict[str, list[str]] = {}
    for resource in workspace.resources():
        by_type.setdefault(resource.resource_type, []).append(resource.id)
    reports.put(("ready", index, 0))
    decisions: Counter[str] = Counter()
    for first in range(0, len(mine), CHUNK):
        principals = mine[first:first + CHUNK]
        cells, chunk_started = 0, time.perf_counter()
        for type_name, resources in by_type.items():
            matrix = graph.matrix(principals, resources, actions_for(type_name))
            counts = matrix.decision_counts()
            decisions.update({decision.value: count for decision, count in counts.items()})
            cells += sum(counts.values())
        reports.put(("cells", index, (cells, time.perf_counter() - chunk_started)))
    reports.put(("done", index, dict(decisions)))


def _steady_rate(chunks: list[tuple[int, float]]) -> float:
    """Cells per second of one worker after its first chunk (which pays for the caches filling up)."""
    steady = chunks[1:] or chunks
    return sum(cells for cells, _ in steady) / sum(seconds for _, seconds in steady)


def run(size: str, workers: int, sample: int) -> tuple[float, float]:
    """Compute the (sampled) matrix over ``workers`` processes; return (measured s, whole-matrix estimate s)."""
    path = model_file(size)
    probe = load_model(path)
    graph = AccessGraph(probe)
    principal_count = len(graph.principal_ids())
    total_cells = principal_count * len(probe.resources()) * ACTIONS_PER_RESOURCE
    chosen = len(chosen_principals(graph.principal_ids(), sample))
    expected = chosen * len(probe.resources()) * ACTIONS_PER_RESOURCE
    context = multiprocessing.get_context("spawn")
    reports: multiprocessing.Queue[Report] = context.Queue()
    started = time.perf_counter()
    processes = [context.Process(target=worker, args=(str(path), i, workers, sample, reports)) for i in range(workers)]
    for process in processes:
        process.start()
    done, cells, ready_at, decisions = 0, 0, 0.0, Counter[str]()
    chunks: dict[int, list[tuple[int, float]]] = {i: [] for i in range(workers)}
    last_print = started
    while done < workers:
        try:
            kind, index, value = reports.get(timeout=1.0)
        except queue.Empty:
            if not any(process.is_alive() for process in processes):
                raise RuntimeError("a worker died without reporting") from None
            continue
        if kind == "ready":  # seconds since the start: process spawn, imports, model file opened
            ready_at = max(ready_at, time.perf_counter() - started)
        elif kind == "cells":
            cells += value[0]
            chunks[index].append(value)
        else:
            done += 1
            decisions.update(value)
        now = time.perf_counter()
        if now - last_print > 5.0:
            print(f"  ... {cells:,}/{expected:,} cells ({100 * cells / expected:.0f}%) after {now - started:.0f} s",
                  flush=True)
            last_print = now
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    warm_up = max(own[0][1] for own in chunks.values() if own)
    rate = sum(_steady_rate(own) for own in chunks.values() if own)
    estimate = elapsed if chosen == principal_count else ready_at + warm_up + total_cells / rate
    print(f"{workers} worker(s): {cells:,} cells of {chosen} principals in {elapsed:.1f} s "
          f"(model opened in {ready_at:.1f} s, first chunk {warm_up:.1f} s); steady {rate:,.0f} cells/s; "
          f"decisions {dict(sorted(decisions.items()))}")
    verdict = "meets" if estimate < TARGET_S else "MISSES"
    print(f"  whole matrix ({principal_count} principals x {len(probe.resources())} resources x "
          f"{ACTIONS_PER_RESOURCE} actions = {total_cells:,} cells): "
          f"{'measured' if chosen == principal_count else 'estimated'} {estimate:,.0f} s "
          f"({verdict} the {TARGET_S:g} s target)", flush=True)
    return elapsed, estimate


APP_ACTIONS = ("s3:GetObject", "kms:Decrypt", "sqs:SendMessage", "dynamodb:GetItem", "secretsmanager:GetSecretValue")
"""Five actions asked of every resource in the ``--app`` run."""


def run_app(size: str) -> None:
    """Time ``matrix_in_parallel`` over the whole model, as the app's Compute and the CLI's matrix run it."""
    workspace = load_model(model_file(size))
    graph = AccessGraph(workspace)
    principals = graph.principal_ids()
    resources = [r.id for r in workspace.resources()]
    for label, actions in (("5 actions each", APP_ACTIONS), ("default actions", None)):
        reports: list[float] = []
        started = time.perf_counter()
        matrix = matrix_in_parallel(graph, principals, resources, actions,
                                    progress=lambda done, total: reports.append(time.perf_counter()))
        elapsed = time.perf_counter() - started
        counts = {decision.value: count for decision, count in matrix.decision_counts().items()}
        verdict = "meets" if elapsed < TARGET_S else "MISSES"
        print(f"app matrix_in_parallel on {core_count()} core(s), {label}: {sum(counts.values()):,} cells in "
              f"{elapsed:.1f} s ({verdict} the {TARGET_S:g} s target); first progress after "
              f"{reports[0] - started:.1f} s, {len(reports)} progress reports; decisions {dict(sorted(counts.items()))}",
              flush=True)


def main() -> None:
    """Parse the options and run the benchmark for each worker count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium", choices=("small", "medium", "large"))
    parser.add_argument("--principals", type=int, default=32, help="principals to compute (0 = all)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--app", action="store_true", help="also time matrix_in_parallel on the whole model")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    for workers in args.workers:
        run(args.size, workers, args.principals)
    if args.app:
        run_app(args.size)


if __name__ == "__main__":
    main()
