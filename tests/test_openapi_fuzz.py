"""Schemathesis against the desk's own /openapi.json (desk with the scripted Rasa stand-in, over real HTTP):
generated requests, valid and invalid, as a guest and as an admin; no answer may be a server error, and
every status the desk answers must be one that its API documents."""
from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.conftest import fresh_schema
from tests.desk_server import DeskServer
from tests.desk_support import add_agents, desk_settings, project, rasa  # noqa: F401 - fixtures

# Left out, and why: starting a training spawns `rasa train` for minutes (tested in the editors' e2e test);
# logging out would end the admin session this run uses (tested in test_desk_api.py).
LEFT_OUT = {("POST", "/api/editor/training"), ("POST", "/api/agent/logout")}


@pytest.fixture(scope="module")
def fuzzed_desk(tmp_path_factory):
    from tests.desk_support import project_copy
    from tests.fake_rasa import FakeRasa

    folder = tmp_path_factory.mktemp("fuzz")
    url = fresh_schema(f"sqlite:///{folder / 'desk.db'}")
    add_agents(url)
    with FakeRasa() as fake, DeskServer(desk_settings(url, fake, project_copy(folder / "project"))) as server:
        token = requests.post(server.url + "/api/agent/login",
                              json={"username": "demo", "password": "balie-demo"}).json()["token"]
        server.admin = {"Authorization": f"Bearer {token}"}
        yield server


@pytest.fixture(scope="module")
def desk_api(fuzzed_desk):
    return schemathesis.openapi.from_url(fuzzed_desk.url + "/openapi.json")


api = schemathesis.pytest.from_fixture("desk_api")
for _method, _path in LEFT_OUT:
    api = api.exclude(method=_method, path=_path)


CHECKS = [not_a_server_error, status_code_conformance]
FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@api.parametrize()
@FUZZ
def test_as_a_guest_no_server_error_and_only_documented_statuses(case):
    case.call_and_validate(checks=CHECKS)


@api.parametrize()
@FUZZ
def test_as_an_admin_no_server_error_and_only_documented_statuses(case, fuzzed_desk):
    case.call_and_validate(headers=fuzzed_desk.admin, checks=CHECKS)
