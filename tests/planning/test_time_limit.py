"""The time limit holds in every phase: a phase that runs slow ends the solve at once
with the best plan so far, never a lost plan nor an overrun."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from xiezuo.io import load_scenario
from xiezuo.planning.params import PlanParams, ProgressEvent
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import audit_plan

EXAMPLE = Path(__file__).parents[2] / "examples" / "chongqing-1958.yaml"
LIMIT_S = 8.0
# What the issue allows past the limit, on the engine's own clock.
GRACE_S = 5.0


class SlowPhaseClock:
    """Real time, until the engine announces ``phase``: from then on the clock is
    ``delay_s`` ahead, as if that phase had taken that long."""

    def __init__(self, phase: str, delay_s: float) -> None:
        self.phase, self.delay_s = phase, delay_s
        self.offset = 0.0
        self.jumped_at: float | None = None  # real time of the jump
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return time.monotonic() + self.offset

    def hear(self, event: ProgressEvent) -> None:
        with self._lock:
            if event.search == self.phase and self.jumped_at is None:
                self.offset = self.delay_s
                self.jumped_at = time.monotonic()


@pytest.mark.parametrize(
    ("phase", "workers", "searched"),
    [
        ("first plan", 2, False),
        ("building the model", 2, False),
        ("whole model", 2, True),
        # With one worker the neighbourhoods have the first turn (see solve._run_phase).
        ("neighbourhoods", 1, True),
    ],
)
def test_a_slow_phase_ends_the_solve_within_the_limit_with_a_valid_plan(
    phase: str, workers: int, searched: bool
) -> None:
    network = load_scenario(EXAMPLE)
    clock = SlowPhaseClock(phase, delay_s=10 * LIMIT_S)
    result = plan(
        network,
        PlanParams(time_limit_s=LIMIT_S, workers=workers),
        on_progress=clock.hear,
        clock=clock,
    )
    returned_at = time.monotonic()
    assert clock.jumped_at is not None, f"the engine never announced {phase!r}"
    assert returned_at - clock.jumped_at <= GRACE_S
    assert result.runtime_s >= clock.delay_s  # measured on the clock it was given
    assert result.schedule is not None
    assert audit_plan(network, result) == ()
    unsearched = [e for e in result.explanations if e.kind == "unsearched"]
    assert bool(unsearched) is not searched
