"""The access matrix on several cores gives the same cells as on one, streams progress, and stops when cancelled."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import pytest

from iam_desktop.graph import AccessGraph
from iam_desktop.graph.parallel import ROWS_PER_TASK, matrix_in_parallel
from iam_desktop.model.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from workload import build_workload  # noqa: E402


@pytest.fixture(scope="module")
def small() -> Workspace:
    return build_workload("small")


def test_two_cores_give_the_cells_of_one(small: Workspace) -> None:
    graph = AccessGraph(small)
    principals = graph.principal_ids()
    resources = [r.id for r in small.resources()]
    seen: list[tuple[int, int]] = []
    parallel = matrix_in_parallel(graph, principals, resources, None, progress=lambda d, t: seen.append((d, t)),
                                  cores=2, min_cells=0)
    serial = graph.matrix(principals, resources, None)
    assert parallel.complete and parallel.rows == serial.rows
    assert (parallel.actions, parallel.resource_ids, parallel.principal_ids) == (
        serial.actions, serial.resource_ids, serial.principal_ids)
    total = len(principals) * graph.cells_per_row(resources, None)
    assert len(seen) == -(-len(principals) // ROWS_PER_TASK) and seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    cell = next(iter(parallel.cells))
    assert parallel.answer(*cell).decision is parallel.cells[cell]  # cells explain themselves in this process
    assert not multiprocessing.active_children()


def test_chosen_actions_and_context_reach_the_workers(small: Workspace) -> None:
    graph = AccessGraph(small)
    principals = graph.principal_ids()[:40]
    resources = [r.id for r in small.resources()]
    actions = ["s3:GetObject", "kms:Decrypt", "sts:AssumeRole"]
    context = {"aws:RequestedRegion": ("eu-west-1",), "aws:MultiFactorAuthPresent": ("true",)}
    parallel = matrix_in_parallel(graph, principals, resources, actions, context=context, cores=2, min_cells=0)
    assert parallel.rows == graph.matrix(principals, resources, actions, context=context).rows


def test_cancel_stops_every_process(small: Workspace) -> None:
    graph = AccessGraph(small)
    principals = graph.principal_ids()
    resources = [r.id for r in small.resources()]
    seen: list[int] = []
    stopped = matrix_in_parallel(graph, principals, resources, None, progress=lambda d, t: seen.append(d),
                                 cancelled=lambda: bool(seen), cores=2, min_cells=0)
    assert not stopped.complete
    assert 0 < sum(stopped.decision_counts().values()) < len(principals) * graph.cells_per_row(resources, None)
    assert not multiprocessing.active_children()


def test_small_matrices_stay_in_this_process(small: Workspace) -> None:
    graph = AccessGraph(small)
    principals = graph.principal_ids()[:3]
    resources = [r.id for r in small.resources()]
    matrix = matrix_in_parallel(graph, principals, resources, None, cores=2)
    assert matrix.complete and matrix.rows == graph.matrix(principals, resources, None).rows
    assert not multiprocessing.active_children()


def test_a_model_that_cannot_be_written_is_computed_in_this_process(small: Workspace) -> None:
    from iam_desktop.model import Placement

    copy = small.copy()
    copy.place(next(iter(copy.entities)), Placement(float("nan"), 0.0))  # a model file refuses NaN
    graph = AccessGraph(copy)
    principals = graph.principal_ids()[:16]
    resources = [r.id for r in copy.resources()]
    matrix = matrix_in_parallel(graph, principals, resources, None, cores=2, min_cells=0)
    assert matrix.complete and matrix.rows == graph.matrix(principals, resources, None).rows
