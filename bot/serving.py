"""Starts Rasa, the action server and the desk the safe way, for `bot run` and for production alike
(`bot serve rasa|actions|desk`):

- secrets come from the environment or a file only the service user reads (RASA_TOKEN or RASA_TOKEN_FILE),
  never from the command line: every local user sees that in the process list, and argparse takes a token
  that starts with "-" for an option (`rasa run: error: argument -t/--auth-token: expected one argument`);
- Rasa and the action server listen on loopback or a private interface only (loopback when none is named):
  they trust the desk, so nobody else may reach them;
- the desk in demo mode does not start on a reachable address while the demo's identity secret, which is
  public in the source, would let anyone sign a customer's token.
"""
from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import sys

from bot import config

logger = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"


class StartRefused(RuntimeError):
    """Said to the operator; the process does not start."""


def loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def private_or_loopback(host: str) -> bool:
    """Loopback or one private address (a pod's, a VPC's); not 0.0.0.0 (every interface, public ones too)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost"
    return ip.is_loopback or (ip.is_private and not ip.is_unspecified)


def _option(args: list[str], *names: str) -> str | None:
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if name.startswith("--") and arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def rasa_argv(args: list[str], token: str) -> list[str]:
    """`rasa run` with the token as one `--auth-token=…` argument (safe whatever it starts with)."""
    if not token:
        raise StartRefused("Set RASA_TOKEN (or RASA_TOKEN_FILE, a file only this service's user can read): without it "
                           "Rasa's HTTP API and the desk channel would take anyone's requests.")
    if any(a in ("-t", "--auth-token") or a.startswith("--auth-token=") for a in args):
        raise StartRefused("Give Rasa's token in RASA_TOKEN or RASA_TOKEN_FILE, not on the command line: every local "
                           "user can read it in the process list.")
    interface = _option(args, "-i", "--interface")
    if interface is None:
        args = ["-i", LOOPBACK, *args]
    elif not private_or_loopback(interface):
        raise StartRefused(f"Rasa would listen on {interface}: bind it to loopback or a private address (in "
                           "Kubernetes the pod's own, -i $POD_IP); only the desk may reach it.")
    return ["rasa", "run", *args, f"--auth-token={token}"]


def actions_host() -> str:
    host = os.environ.get("SANIC_HOST") or LOOPBACK
    if not private_or_loopback(host):
        raise StartRefused(f"The action server would listen on {host}: set SANIC_HOST to loopback or a private "
                           "address (in Kubernetes the pod's own); only Rasa may reach it.")
    return host


def desk_may_listen_on(host: str, settings) -> None:
    if settings.demo_mode and not settings.identity_secret and not loopback(host):
        raise StartRefused(f"Demo mode on {host} needs its own SHOP_IDENTITY_SECRET: the demo secret is in the source, "
                           "so anyone who reaches the desk could sign in as any customer of the shop.")


def _rasa_main(argv: list[str]) -> int:
    from rasa.__main__ import main

    sys.argv = argv  # the process list keeps showing how this process was started, without the token
    main()
    return 0


def _without_tensorflow_when_safe(args: list[str]) -> None:
    """Rasa without TensorFlow when the model has no TensorFlow component (bot/rasa/without_tensorflow.py):
    about 600 MB less per replica. BALIE_TENSORFLOW=on keeps it always."""
    from bot.rasa import without_tensorflow

    model = without_tensorflow.model_argument(args)
    if os.environ.get("BALIE_TENSORFLOW", "auto").lower() == "on" or model is None:
        return
    if without_tensorflow.tensorflow_free(model):
        without_tensorflow.install()
        print(f"Rasa runs without TensorFlow: no component of {model.name} uses it.", file=sys.stderr, flush=True)


def serve(process: str, args: list[str]) -> int:
    try:
        if process == "rasa":
            argv = rasa_argv(args, config.secret("RASA_TOKEN"))
            _without_tensorflow_when_safe(args)
            from bot.rasa import action_results
            action_results.install()  # after the TensorFlow choice: it imports Rasa's actions
            return _rasa_main(argv)
        if process == "actions":
            os.environ["SANIC_HOST"] = actions_host()
            if not config.secret("RASA_TOKEN"):
                logger.warning("no RASA_TOKEN: the action server cannot check that a logged-in customer comes from "
                               "the desk, so every customer is treated as a guest")
            return _rasa_main(["rasa", "run", "actions", *args])
        return _serve_desk(args)
    except StartRefused as refused:
        print(f"Cannot start {process}: {refused}", file=sys.stderr)
        return 2


def _serve_desk(args: list[str]) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(prog="bot serve desk")
    parser.add_argument("--host", default=LOOPBACK)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    options = parser.parse_args(args)
    desk_may_listen_on(options.host, config.get_settings())
    # The desk reads X-Forwarded-For itself, and only from TRUSTED_PROXIES.
    uvicorn.run("bot.desk.asgi:app", host=options.host, port=options.port, workers=options.workers,
                proxy_headers=False, access_log=False, timeout_graceful_shutdown=5)
    return 0
