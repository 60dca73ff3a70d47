"""A small hand-made schedule that the validator and plan-file tests share.

ORD-1 is a press of two frames: the frames are cast and milled at P2 (the milling
pauses overnight from 1 to 2 July), shipped to P1 and assembled there. ORD-2 is a spare
frame made at P2. Times are in Shanghai, the network's zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from xiezuo.domain import Delivery, Schedule, ScheduledOperation, Shipment, WorkOrderAssignment

SHANGHAI = ZoneInfo("Asia/Shanghai")
PRESS = "ORD-1:PRESS"
FRAME = "ORD-1:PRESS/FRAME"
SPARE = "ORD-2:FRAME"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(1958, 7, day, hour, minute, tzinfo=SHANGHAI)


def op(
    work_order_id: str,
    step: int,
    process: str,
    machine: str,
    start: datetime,
    end: datetime,
    work_hours: int,
    *,
    plant: str = "P2",
) -> ScheduledOperation:
    return ScheduledOperation(
        work_order_id=work_order_id,
        step=step,
        process=process,
        plant_id=plant,
        machine_id=machine,
        unit=0,
        start=start,
        end=end,
        work=timedelta(hours=work_hours),
    )


def make_schedule() -> Schedule:
    """A correct schedule; the frame's milling pauses overnight from 1 to 2 July."""
    return Schedule(
        work_orders=(
            WorkOrderAssignment(
                work_order_id=PRESS,
                order_id="ORD-1",
                item_id="PRESS",
                quantity=1,
                parent_id=None,
                plant_id="P1",
                routing_id="assemble",
                start=at(3, 11),
                end=at(3, 14),
            ),
            WorkOrderAssignment(
                work_order_id=FRAME,
                order_id="ORD-1",
                item_id="FRAME",
                quantity=2,
                parent_id=PRESS,
                plant_id="P2",
                routing_id="cast-mill",
                start=at(1, 8),
                end=at(2, 11),
            ),
            WorkOrderAssignment(
                work_order_id=SPARE,
                order_id="ORD-2",
                item_id="FRAME",
                quantity=1,
                parent_id=None,
                plant_id="P2",
                routing_id="cast-mill",
                start=at(3, 8),
                end=at(3, 14),
            ),
        ),
        operations=(
            op(FRAME, 1, "cast", "CAST2", at(1, 8), at(1, 13), 5),
            op(FRAME, 2, "mill", "MILL2", at(1, 13), at(2, 11), 6),
            op(PRESS, 1, "assemble", "ASM", at(3, 11), at(3, 14), 3, plant="P1"),
            op(SPARE, 1, "cast", "CAST2", at(3, 8), at(3, 11), 3),
            op(SPARE, 2, "mill", "MILL2", at(3, 11), at(3, 14), 3),
        ),
        shipments=(
            Shipment(
                work_order_id=FRAME,
                origin="P2",
                destination="P1",
                depart=at(2, 11),
                arrive=at(3, 11),
            ),
        ),
        deliveries=(
            Delivery(
                order_id="ORD-1",
                plant_id="P1",
                region="EAST",
                finish=at(3, 14),
                arrival=at(5, 14),
                due=at(10, 16),
            ),
            Delivery(
                order_id="ORD-2",
                plant_id="P2",
                region="EAST",
                finish=at(3, 14),
                arrival=at(6, 14),
                due=at(10, 16),
            ),
        ),
    )
