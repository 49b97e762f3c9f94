"""How `bot run` and production start Rasa, the action server and the desk: the token never on a command
line (whatever character it starts with), Rasa and the action server on loopback or a private address,
demo mode not on a reachable address without its own identity secret."""
from __future__ import annotations

from dataclasses import replace

import pytest
from rasa.__main__ import create_argument_parser

from bot.config import get_settings
from bot.processes import Stack
from bot.serving import StartRefused, actions_host, desk_may_listen_on, rasa_argv, serve


def parsed(argv: list[str]):
    return create_argument_parser().parse_args(argv[1:])  # as Rasa's own CLI reads it


@pytest.mark.parametrize("token", ["-Xk9abc", "--auth-token", "abc-def", "-i"])
def test_rasa_gets_its_token_whatever_it_starts_with(token):
    args = parsed(rasa_argv(["--enable-api", "-p", "5005", "-m", "models/balie.tar.gz"], token))
    assert args.auth_token == token and args.interface == "127.0.0.1" and args.port == 5005


def test_a_token_on_the_command_line_and_a_public_interface_are_refused():
    with pytest.raises(StartRefused, match="not on the command line"):
        rasa_argv(["--auth-token", "geheim"], "geheim")
    with pytest.raises(StartRefused, match="RASA_TOKEN"):
        rasa_argv(["--enable-api"], "")
    for interface in ("0.0.0.0", "::", "8.8.8.8"):
        with pytest.raises(StartRefused, match="loopback or a private address"):
            rasa_argv(["-i", interface], "geheim")
    assert parsed(rasa_argv(["--interface=10.1.2.3"], "geheim")).interface == "10.1.2.3"  # a pod's own address


def test_the_action_server_listens_on_loopback_unless_given_a_private_address(monkeypatch):
    monkeypatch.delenv("SANIC_HOST", raising=False)
    assert actions_host() == "127.0.0.1"
    monkeypatch.setenv("SANIC_HOST", "10.0.0.7")
    assert actions_host() == "10.0.0.7"
    monkeypatch.setenv("SANIC_HOST", "0.0.0.0")  # rasa_sdk's own default
    with pytest.raises(StartRefused):
        actions_host()


def test_demo_mode_does_not_start_on_a_reachable_address_without_its_own_secret(capsys, monkeypatch):
    demo = replace(get_settings(), demo_mode=True, identity_secret="")
    desk_may_listen_on("127.0.0.1", demo)
    desk_may_listen_on("0.0.0.0", replace(demo, identity_secret="eigen-geheim-van-de-winkel"))
    desk_may_listen_on("0.0.0.0", replace(demo, demo_mode=False))
    with pytest.raises(StartRefused, match="SHOP_IDENTITY_SECRET"):
        desk_may_listen_on("0.0.0.0", demo)
    monkeypatch.setenv("BALIE_DEMO", "1")
    monkeypatch.delenv("SHOP_IDENTITY_SECRET", raising=False)
    monkeypatch.delenv("SHOP_IDENTITY_SECRET_FILE", raising=False)
    assert serve("desk", ["--host", "0.0.0.0", "--port", "8000"]) == 2
    assert "needs its own SHOP_IDENTITY_SECRET" in capsys.readouterr().err


def test_bot_run_puts_no_token_on_any_command_line(tmp_path):
    stack = Stack(database_url=f"sqlite:///{tmp_path / 'db'}", model=tmp_path / "model.tar.gz", log_dir=tmp_path,
                  rasa_token="-geheim-token")
    children = stack.children()
    assert {c.name for c in children} == {"rasa", "actions", "desk"}
    for child in children:
        assert not any("geheim" in part for part in child.command), child.command
        assert child.env["RASA_TOKEN"] == "-geheim-token"
    [rasa] = [c for c in children if c.name == "rasa"]
    assert rasa.command[rasa.command.index("-i") + 1] == "127.0.0.1"
