"""How `bot run` starts the processes."""
from __future__ import annotations

from bot.processes import Stack
from bot.serving import rasa_argv


def test_a_rasa_token_that_starts_with_a_dash_reaches_rasa_as_the_token(tmp_path):
    """A random token starts with "-" one time in 64; as a separate argument Rasa's parser took it for an
    option and Rasa did not start. The token travels in the environment (not readable in the process list)
    and `bot serve rasa` hands it to Rasa's own parser."""
    from rasa.__main__ import create_argument_parser

    stack = Stack(database_url=f"sqlite:///{tmp_path / 'desk.db'}", model=tmp_path / "model.tar.gz",
                  log_dir=tmp_path, rasa_token="-Xq3")
    [rasa] = [child for child in stack.children() if child.name == "rasa"]
    assert not any("-Xq3" in argument for argument in rasa.command)
    assert rasa.env["RASA_TOKEN"] == "-Xq3"
    serve_args = rasa.command[rasa.command.index("rasa") + 1:]
    parsed = create_argument_parser().parse_args(rasa_argv(serve_args, rasa.env["RASA_TOKEN"])[1:])
    assert parsed.auth_token == "-Xq3"
    assert parsed.interface == "127.0.0.1"
