"""Property-based contract test of every endpoint: no 5xx, no answer outside the documented schema.

Schemathesis generates requests from /openapi.json and calls the app in-process.
``LINKSCOPE_FUZZ_EXAMPLES`` sets the cases per operation (``make fuzz`` raises it).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from app.live import LiveStore
from app.main import create_app
from app.settings import Settings
from graph.store import GraphStore

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES = int(os.environ.get("LINKSCOPE_FUZZ_EXAMPLES", "25"))

store = GraphStore.load()
settings_with_admin = Settings(admin_token="contract-test-token")  # the reload endpoint is on: it sees hostile headers
app = create_app(settings_with_admin, store=store)
app.state.live = LiveStore(settings_with_admin, store)  # what the lifespan does; schemathesis calls skip it
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_endpoint_honours_its_contract(case: schemathesis.Case) -> None:
    case.call_and_validate()
