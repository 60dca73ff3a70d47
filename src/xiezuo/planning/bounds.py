"""Static bounds on when work can happen: heads and tails from precedences alone.

The head of a work order is the least time from the network start to its start, the
tail the least time from its end to the last arrival at a customer, both following
components, designs and lanes with every step on its fastest machine. They are
counted in working minutes, never more than the calendar time they take, so every
bound built on them holds whatever the calendars.
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xiezuo.planning.compile import Option, Problem


@dataclass(frozen=True, slots=True)
class HeadsTails:
    head: tuple[int, ...]  # per work order: least minutes from the start to its start
    tail: tuple[int, ...]  # per work order: least minutes from its end to the makespan

    def of_step(self, wo_idx: int, option: Option, step: int) -> tuple[int, int]:
        """Head and tail of one step of ``option``, counting the steps before and after."""
        before = sum(op.min_work for op in option.ops[:step])
        after = sum(op.min_work for op in option.ops[step + 1 :])
        return self.head[wo_idx] + before, self.tail[wo_idx] + after


def heads_and_tails(problem: Problem) -> HeadsTails:
    """Longest paths through the precedence graph, forwards and backwards."""
    work_orders = problem.work_orders
    least_work = [min(option.work for option in wo.options) for wo in work_orders]

    def least_lead(before: int, after: int) -> int:
        leads = (
            problem.lead[a][b]
            for a in work_orders[before].plants
            for b in work_orders[after].plants
        )
        return min((lead for lead in leads if lead is not None), default=0)

    successors: list[list[int]] = [[] for _ in work_orders]
    for after, wo in enumerate(work_orders):
        for before in wo.predecessors:
            successors[before].append(after)
    order = list(
        TopologicalSorter({w: wo.predecessors for w, wo in enumerate(work_orders)}).static_order()
    )
    head = [0] * len(work_orders)
    for w in order:
        head[w] = max(
            [work_orders[w].release]
            + [head[p] + least_work[p] + least_lead(p, w) for p in work_orders[w].predecessors]
        )
    tail = [0] * len(work_orders)
    for order_ in problem.orders:
        tail[order_.root_idx] = min(order_.delivery_lead.values(), default=0)
    for w in reversed(order):
        tail[w] = max(
            [tail[w]] + [least_lead(w, s) + least_work[s] + tail[s] for s in successors[w]]
        )
    return HeadsTails(tuple(head), tuple(tail))
