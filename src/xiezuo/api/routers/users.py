"""Who the token belongs to, so a client (the dashboard) can show the right pages."""

from fastapi import APIRouter
from pydantic import BaseModel

from xiezuo.api.deps import ERRORS, CurrentUser

router = APIRouter(tags=["users"], responses=ERRORS)


class Me(BaseModel):
    name: str
    role: str
    """``planner``, ``plant`` or ``viewer``."""
    plant: str | None
    """The plant a plant user writes for."""


@router.get("/me")
def me(user: CurrentUser) -> Me:
    """The signed-in user: name, role and plant (401 on a missing or unknown token)."""
    return Me(name=user.name, role=user.role, plant=user.plant_id)
