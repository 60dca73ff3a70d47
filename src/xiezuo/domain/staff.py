"""Skilled people: headcount per skill and plant, secondments away, trainees coming in.

Headcount is people per shift. A plant's capacity in a skill at an instant is its
staffing, minus people seconded away at that instant, plus trainees whose training
has ended; trainers are busy while they train.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from xiezuo.errors import ModelError

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclass(frozen=True, slots=True, kw_only=True)
class CrewNeed:
    """An operation needs ``size`` people of ``skill`` for as long as it runs."""

    skill: str
    size: int

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ModelError([f"crew of {self.skill!r}: size must be at least 1, not {self.size}"])


@dataclass(frozen=True, slots=True, kw_only=True)
class Staffing:
    """People of one skill a plant has per shift at the horizon start."""

    plant_id: str
    skill: str
    headcount: int

    def __post_init__(self) -> None:
        if self.headcount < 0:
            raise ModelError(
                [
                    f"staffing of {self.skill!r} at plant {self.plant_id!r}: headcount must not "
                    f"be negative, not {self.headcount}"
                ]
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class Secondment:
    """``count`` people of ``skill`` leave ``plant_id`` for ``region`` from ``start``.

    ``end`` ``None`` means for good.
    """

    plant_id: str
    skill: str
    count: int
    start: datetime
    end: datetime | None = None
    region: str = ""

    def __post_init__(self) -> None:
        problems = []
        if self.count < 1:
            problems.append(f"count must be at least 1, not {self.count}")
        if self.end is not None and self.end <= self.start:
            problems.append("the secondment must end after it starts")
        ModelError.check(problems, f"secondment of {self.skill!r} from plant {self.plant_id!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Training:
    """``count`` trainees become ``skill`` at ``plant_id`` at ``start + duration``.

    While they train, ``trainers`` people of ``trainer_skill`` are taken from the
    plant's capacity.
    """

    plant_id: str
    skill: str
    count: int
    start: datetime
    duration: timedelta
    trainer_skill: str | None = None
    trainers: int = 0

    def __post_init__(self) -> None:
        problems = []
        if self.count < 1:
            problems.append(f"count must be at least 1, not {self.count}")
        if self.duration <= timedelta(0):
            problems.append("training must end after it starts (duration must be positive)")
        if self.trainers < 0:
            problems.append("trainers must not be negative")
        if self.trainers and self.trainer_skill is None:
            problems.append("trainers need a trainer skill")
        ModelError.check(problems, f"training of {self.skill!r} at plant {self.plant_id!r}")

    @property
    def ends(self) -> datetime:
        return self.start + self.duration


def capacity_steps(
    plant_id: str,
    skill: str,
    staffing: Iterable[Staffing],
    secondments: Iterable[Secondment],
    trainings: Iterable[Training],
    start: datetime,
    moves: Iterable[tuple[datetime, int]] = (),
) -> tuple[tuple[datetime, int], ...]:
    """Headcount of ``skill`` at ``plant_id`` as steps ``(from, people)``, first at ``start``.
    ``moves`` are further changes ``(instant, people)``: people loans pulled.

    The value can go negative when more people are seconded or training others than
    the plant has; :func:`xiezuo.domain.rules.validate_network` reports that.
    """
    base = sum(s.headcount for s in staffing if (s.plant_id, s.skill) == (plant_id, skill))
    changes: list[tuple[datetime, int]] = []
    for s in secondments:
        if (s.plant_id, s.skill) == (plant_id, skill):
            changes.append((max(s.start, start), -s.count))
            if s.end is not None:
                changes.append((max(s.end, start), s.count))
    for t in trainings:
        if t.plant_id != plant_id:
            continue
        if t.skill == skill:
            changes.append((max(t.ends, start), t.count))
        if t.trainer_skill == skill and t.trainers:
            changes.append((max(t.start, start), -t.trainers))
            changes.append((max(t.ends, start), t.trainers))
    changes += [(max(when, start), delta) for when, delta in moves]
    steps = [(start, base)]
    level = base
    for when, delta in sorted(changes):
        level += delta
        if when == steps[-1][0]:
            steps[-1] = (when, level)
        else:
            steps.append((when, level))
    return tuple(steps)
