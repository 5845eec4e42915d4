"""Benchmark of access paths: AccessGraph.can() latency with assume-role chains up to depth 4 on a large model.

Run ``python bench/bench_paths.py [--size large] [--questions 200]`` from the project folder. The model is
the shared deterministic workload (``bench/workload.py``: 2,000 users, 3,000 roles chained by trust policies,
2,000 policies, 5,000 resources, 10 accounts under SCPs). Questions (a user, one of its resource's actions)
are drawn from a fixed seed. The first question pays for building the assume-role graph lazily; the median
and 95th percentile of the rest are reported with the number of paths found.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from iam_desktop.graph import AccessGraph, resource_arn_for  # noqa: E402
from iam_desktop.model.resource_types import resource_type  # noqa: E402
from workload import build_workload  # noqa: E402

SEED = 4242


def run(size: str, questions: int, max_depth: int) -> None:
    """Build the model, ask ``questions`` can() questions, print the latencies."""
    started = time.perf_counter()
    workspace = build_workload(size)
    print(f"model: {len(workspace)} entities, built in {time.perf_counter() - started:.1f} s")
    graph = AccessGraph(workspace)
    rng = random.Random(SEED)
    users, resources = workspace.users(), workspace.resources()
    asked = []
    for _ in range(questions):
        resource = rng.choice(resources)
        action = rng.choice(resource_type(resource.resource_type).default_actions)
        asked.append((rng.choice(users).id, action, resource_arn_for(resource, action)))
    timings, paths, allowed = [], 0, 0
    for principal_id, action, arn in asked:
        begin = time.perf_counter()
        answer = graph.can(principal_id, action, arn, max_depth=max_depth)
        timings.append(time.perf_counter() - begin)
        paths += len(answer.paths)
        allowed += answer.allowed
    first, rest = timings[0], sorted(timings[1:])
    graph_nodes = graph.assume_graph.graph.number_of_nodes()
    graph_edges = graph.assume_graph.graph.number_of_edges()
    print(f"questions: {questions} (max depth {max_depth}); allowed {allowed}; paths found {paths}")
    print(f"assume graph explored: {graph_nodes} nodes, {graph_edges} allowed edges")
    print(f"first can(): {first * 1000:.1f} ms")
    print(f"can() median: {statistics.median(rest) * 1000:.2f} ms, "
          f"p95: {rest[int(len(rest) * 0.95) - 1] * 1000:.2f} ms, max: {rest[-1] * 1000:.1f} ms")
    chained = []
    for user in users:
        distances = graph.assume_graph.reachable(user.id, max_depth)
        if max(distances.values()) >= 2:
            chained.append((user.id, max(distances.values())))
        if len(chained) >= 30:
            break
    deep_timings = []
    for principal_id, _depth in chained:
        resource = rng.choice(resources)
        action = rng.choice(resource_type(resource.resource_type).default_actions)
        begin = time.perf_counter()
        graph.can(principal_id, action, resource_arn_for(resource, action), max_depth=max_depth)
        deep_timings.append(time.perf_counter() - begin)
    if deep_timings:
        print(f"users with chains of 2+ roles: {len(chained)} (deepest {max(d for _, d in chained)}); "
              f"can() median {statistics.median(deep_timings) * 1000:.2f} ms, max {max(deep_timings) * 1000:.1f} ms")


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large", choices=("small", "medium", "large"))
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--max-depth", type=int, default=4)
    args = parser.parse_args()
    run(args.size, args.questions, args.max_depth)


if __name__ == "__main__":
    main()
