"""deploy/kubernetes: every manifest is valid against Kubernetes' own schema (offline, `kubernetes-validate`,
strict: an unknown or misspelt field fails), and what the manifests promise holds in the code: the probes ask
paths the processes serve, Rasa and the action server bind the pod's own address the way bot/serving.py
requires, the token comes from a Secret, the desk and Rasa scale, and Rasa's tracker store class exists."""
from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import kubernetes_validate
import pytest
import requests
import yaml

from bot import serving
from bot.config import ROOT
from tests.desk_support import desk, project, rasa  # noqa: F401 - fixtures

FOLDER = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.28.0"


def manifests() -> dict[str, list[dict]]:
    listed = yaml.safe_load((FOLDER / "kustomization.yaml").read_text())["resources"]
    return {name: [d for d in yaml.safe_load_all((FOLDER / name).read_text()) if d] for name in listed}


def resources() -> list[dict]:
    return [doc for docs in manifests().values() for doc in docs]


def of_kind(kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in resources() if d["kind"] == kind}


def container(deployment: str) -> dict:
    [only] = of_kind("Deployment")[deployment]["spec"]["template"]["spec"]["containers"]
    return only


def env_of(deployment: str) -> dict[str, dict]:
    return {e["name"]: e for e in container(deployment).get("env", [])}


def test_the_kustomization_lists_every_manifest_in_the_folder():
    listed = set(manifests())
    assert listed == {p.name for p in FOLDER.glob("*.yaml")} - {"kustomization.yaml"}


@pytest.mark.parametrize("name", sorted(yaml.safe_load((FOLDER / "kustomization.yaml").read_text())["resources"]))
def test_each_manifest_is_valid_against_the_kubernetes_schema(name):
    for doc in manifests()[name]:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)  # raises on any error


def test_the_schema_check_catches_a_misspelt_field():
    deployment = of_kind("Deployment")["desk"]
    broken = yaml.safe_load(yaml.safe_dump(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGett"] = {"path": "/", "port": 8000}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_desk_rasa_and_actions_run_with_probes_requests_and_the_token_from_a_secret():
    assert set(of_kind("Deployment")) == {"desk", "rasa", "actions"}
    for name in ("desk", "rasa", "actions"):
        c = container(name)
        assert c["readinessProbe"]["httpGet"] and c["livenessProbe"]["httpGet"], name
        assert {"cpu", "memory"} <= set(c["resources"]["requests"]), name
        assert env_of(name)["RASA_TOKEN"]["valueFrom"]["secretKeyRef"]["name"] == "balie-secrets", name
        assert "RASA_TOKEN" not in " ".join(c["command"]), name
    scaled = {h["spec"]["scaleTargetRef"]["name"] for h in of_kind("HorizontalPodAutoscaler").values()}
    assert scaled == {"desk", "rasa"}
    assert {s["spec"]["type"] for n, s in of_kind("Service").items() if n in ("postgres", "redis")} == {"ExternalName"}


def test_the_desk_serves_the_paths_its_probes_ask(desk, rasa):  # noqa: F811
    c = container("desk")
    for probe in ("readinessProbe", "livenessProbe"):
        path = c[probe]["httpGet"]["path"]
        assert requests.get(desk.url + path, timeout=10).status_code == 200, path


def test_rasa_and_the_action_server_serve_the_paths_their_probes_ask():
    from rasa_sdk.endpoint import create_app

    actions = create_app("actions")
    action_paths = {route.uri if route.uri.startswith("/") else "/" + route.uri for route in actions.router.routes}
    for probe in ("readinessProbe", "livenessProbe"):
        assert container("actions")[probe]["httpGet"]["path"] in action_paths
    # Rasa's server is not built here (it loads TensorFlow); its routes are read from its source.
    import rasa.server

    source = inspect.getsource(rasa.server)
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        path = container("rasa")[probe]["httpGet"]["path"]
        assert f'@app.get("{path}")' in source, path


def test_rasa_and_the_action_server_bind_the_pods_own_address_which_bot_serving_accepts(monkeypatch):
    pod_ip = "10.12.3.4"
    rasa_env, actions_env = env_of("rasa"), env_of("actions")
    assert rasa_env["POD_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP"
    assert actions_env["SANIC_HOST"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP"
    command = [arg.replace("$(POD_IP)", pod_ip) for arg in container("rasa")["command"]]
    assert command[:3] == ["bot", "serve", "rasa"]
    argv = serving.rasa_argv(command[3:], "a-token")  # refuses 0.0.0.0 or a public address
    assert argv[argv.index("-i") + 1] == pod_ip
    monkeypatch.setenv("SANIC_HOST", pod_ip)
    assert serving.actions_host() == pod_ip
    assert container("desk")["command"][:3] == ["bot", "serve", "desk"]


def test_rasas_endpoints_name_a_tracker_store_class_that_exists():
    [config] = [d for d in of_kind("ConfigMap").values() if "endpoints.yml" in d["data"]]
    endpoints = yaml.safe_load(config["data"]["endpoints.yml"])
    module, _, name = endpoints["tracker_store"]["type"].rpartition(".")
    assert inspect.isclass(getattr(importlib.import_module(module), name))
    credentials = yaml.safe_load(config["data"]["credentials.yml"])
    assert credentials == yaml.safe_load(Path(ROOT / "credentials.yml").read_text())
