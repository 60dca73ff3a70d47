"""Grouping a replan's frozen-window explanations by cause."""

from __future__ import annotations

from xiezuo.domain import Explanation
from xiezuo.services.replan_summary import group_unfrozen

A = "ORD-1:PRESS/FRAME"
B = "ORD-2:PRESS/FRAME"


def unfrozen(work_order_id: str, step: int, why: str) -> Explanation:
    return Explanation(
        kind="unfrozen",
        subject=f"{work_order_id}#{step}",
        message=f"step {step} of {work_order_id} leaves its frozen place: {why}",
    )


def test_reasons_that_differ_only_in_step_work_order_or_instant_are_one_group() -> None:
    groups = group_unfrozen(
        [
            unfrozen(A, 2, "step 1 before it is not settled"),
            unfrozen(B, 3, "step 2 before it is not settled"),
            unfrozen("ORD-1:PRESS", 1, f"{A} it needs is not finished before it"),
            unfrozen("ORD-2:PRESS", 1, f"{B} it needs is not finished before it"),
            unfrozen(A, 3, "step 2 before it now ends later, at 1958-07-03 12:00"),
            unfrozen(B, 4, "step 3 before it now ends later, at 1958-07-04 06:00"),
        ],
        [A, B, "ORD-1:PRESS", "ORD-2:PRESS"],
    )
    assert [(g.reason, g.subjects) for g in groups] == [
        ("the step before it is not settled", (f"{A}#2", f"{B}#3")),
        ("a component it needs is not finished before it", ("ORD-1:PRESS#1", "ORD-2:PRESS#1")),
        ("the step before it now ends later", (f"{A}#3", f"{B}#4")),
    ]


def test_the_largest_group_comes_first_and_keeps_the_plans_order() -> None:
    groups = group_unfrozen(
        [
            unfrozen(A, 1, "machine group foundry is reported down then"),
            unfrozen(B, 1, "its material would have had to leave before the status date"),
            unfrozen(B, 2, "its material would have had to leave before the status date"),
        ]
    )
    assert [len(g.subjects) for g in groups] == [2, 1]
    assert groups[0].subjects == (f"{B}#1", f"{B}#2")


def test_a_message_in_another_form_is_its_own_reason() -> None:
    note = Explanation(kind="unfrozen", subject=f"{A}#1", message="moved by hand")
    assert group_unfrozen([note])[0].reason == "moved by hand"
