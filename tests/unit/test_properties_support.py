"""What the property tests (``test_properties_*.py``) share: how many inputs each tries, and counting them.

Every property runs twice: ``[ci]`` with a budget that keeps the CI run short, and ``[slow]`` (marked ``slow``)
with ``SLOW_FACTOR`` times as many inputs, run only with ``-m slow`` or ``FIELDAPP_SLOW=1``. Each property counts
the inputs it really tried in ``TRIED`` and asserts the count, so a property that silently stopped running fails;
``pytest --hypothesis-show-statistics`` prints the same counts and the events of each run.

This module holds no tests: it is named like the property modules only because those are the files it serves.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings

SLOW_FACTOR = 20
SIZES = ["ci", pytest.param("slow", marks=pytest.mark.slow)]
TRIED: Counter[str] = Counter()


def slow_requested(config: pytest.Config) -> bool:
    return "slow" in (config.getoption("markexpr") or "") or bool(os.environ.get("FIELDAPP_SLOW"))


@pytest.fixture(params=SIZES)
def size(request) -> str:
    """``"ci"`` or ``"slow"``; the slow size is skipped unless asked for."""
    if request.param == "slow" and not slow_requested(request.config):
        pytest.skip("slow: run with -m slow or FIELDAPP_SLOW=1")
    return request.param


def budget(size: str, ci_examples: int) -> settings:
    """Settings for one property: ``ci_examples`` inputs in CI, ``SLOW_FACTOR`` times more when slow.

    No deadline: two shared cores make single timings noisy, and the CI budget bounds the total instead.
    Fixtures of the store are reused across inputs on purpose (each input compares the store before/after).
    """
    n = ci_examples * (SLOW_FACTOR if size == "slow" else 1)
    return settings(max_examples=n, deadline=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large, HealthCheck.filter_too_much])


def tried(name: str) -> int:
    """Count one input of property ``name``; returns the count so far."""
    TRIED[name] += 1
    return TRIED[name]


def run(name: str, prop, size: str, ci_examples: int) -> int:
    """Run the @given property ``prop`` with the size's budget; return how many inputs it tried (asserted > 0)."""
    before = TRIED[name]
    budget(size, ci_examples)(prop)()
    n = TRIED[name] - before
    assert n > 0, f"property {name} tried no input"
    print(f"[properties] {name} ({size}): {n} inputs")
    return n
