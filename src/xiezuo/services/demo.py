"""``xiezuo serve --demo``: a server ready to try, from the bundled Chongqing example.

Run again on the same database it changes nothing but the two demo users' tokens
(tokens are kept hashed, so new ones are the only ones that can be shown) and plans
only if the network has no plan yet, nor one under way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from sqlalchemy import select

from xiezuo.errors import NotFoundError
from xiezuo.services import accounts, networks
from xiezuo.services.accounts import Role
from xiezuo.services.jobs import FINISHED, JobRequest
from xiezuo.storage.models import JobRow, UserRow

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.orm import Session

    from xiezuo.services.jobs import JobRunner

NETWORK_KEY: Final = "chongqing-1958"
USERS: Final = (("planner", Role.PLANNER, None), ("wj", Role.PLANT, "WJ"))
"""The coordinating office's planner and the Wuhan heavy-machinery plant (WJ)."""
TIME_LIMIT_S: Final = 30.0


@dataclass(frozen=True, slots=True)
class Demo:
    """What the demo set up: the network, each user's new token, the plan job if any."""

    network_key: str
    token_by_user: dict[str, tuple[str, str]]
    """User name → (role and plant, token)."""
    job_id: int | None


def prepare_demo(session: Session, example: Path, runner: JobRunner) -> Demo:
    """Import ``example`` as :data:`NETWORK_KEY` if absent, (re)issue the demo users'
    tokens and queue one plan job unless there is a plan or a job already.

    Raises
    ------
    InputError, ModelError
        The example does not read as a scenario.
    """
    try:
        row = networks.get_network(session, NETWORK_KEY)
    except NotFoundError:
        row = networks.import_scenario(
            session, NETWORK_KEY, example, user="demo", reason="xiezuo serve --demo"
        )
    token_by_user: dict[str, tuple[str, str]] = {}
    for name, role, plant in USERS:
        exists = session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None
        token = (
            accounts.new_token(session, name)
            if exists
            else accounts.add_user(session, name, role, plant)
        )
        token_by_user[name] = (f"{role.value} {plant}" if plant else role.value, token)
    session.commit()
    under_way = session.scalar(
        select(JobRow.id).where(JobRow.network_id == row.id, JobRow.status.not_in(FINISHED))
    )
    job_id = None
    if row.current_plan is None and under_way is None:
        request = JobRequest(
            kind="plan", reason="first plan of the demo", time_limit_s=TIME_LIMIT_S
        )
        job_id = runner.submit(session, row, request, "demo").id
    return Demo(NETWORK_KEY, token_by_user, job_id)
