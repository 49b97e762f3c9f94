"""How `bot run` starts the processes."""
from __future__ import annotations

from bot.processes import Stack


def test_a_rasa_token_that_starts_with_a_dash_reaches_rasa_as_the_token(tmp_path):
    """A random token starts with "-" one time in 64; as a separate argument Rasa's parser took it for an
    option and Rasa did not start."""
    from rasa.__main__ import create_argument_parser

    stack = Stack(database_url=f"sqlite:///{tmp_path / 'desk.db'}", model=tmp_path / "model.tar.gz",
                  log_dir=tmp_path, rasa_token="-Xq3")
    [rasa] = [child for child in stack.children() if child.name == "rasa"]
    assert create_argument_parser().parse_args(rasa.command[1:]).auth_token == "-Xq3"
