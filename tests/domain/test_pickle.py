"""Networks and plans cross process boundaries (scenario fan-out) unchanged."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, settings

from tests.strategies import networks
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan

if TYPE_CHECKING:
    from xiezuo.domain import Network


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_network_pickle_round_trip_is_equal(network: Network) -> None:
    copy = pickle.loads(pickle.dumps(network))
    assert copy == network
    assert copy.item_by_id.keys() == network.item_by_id.keys()


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_plan_pickle_round_trip_is_equal(network: Network) -> None:
    result = plan(network, PlanParams(time_limit_s=1, workers=1))
    assert pickle.loads(pickle.dumps(result)) == result
