"""How many inputs each fuzz test tries (bounded by default, long with --fuzz-long) and how many it did try."""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, settings

LONG_ENV = "IAM_DESKTOP_FUZZ_LONG"
"""Set to "1" (by ``--fuzz-long`` or by hand) to multiply every fuzz test's example budget by LONG_FACTOR."""

LONG_FACTOR = 10

TRIED: Counter[str] = Counter()
"""Inputs actually fed to the code under test, by fuzz target; printed in the pytest terminal summary."""


def is_long() -> bool:
    """True when the long fuzz run was asked for."""
    return os.environ.get(LONG_ENV) == "1"


def fuzz_settings(examples: int) -> settings:
    """Hypothesis settings for a fuzz test: ``examples`` inputs (times LONG_FACTOR in a long run), no deadline."""
    return settings(
        max_examples=examples * (LONG_FACTOR if is_long() else 1),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                               HealthCheck.function_scoped_fixture],
        print_blob=True,
    )


def tried(target: str) -> None:
    """Count one input fed to ``target``."""
    TRIED[target] += 1
