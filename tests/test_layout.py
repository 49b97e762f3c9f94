"""The desk's shape, checked over its source: views parse and call, the domain never speaks HTTP, and every
package names its parts alike (models / service / flows / views)."""
from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from bot.config import ROOT

DESK = ROOT / "bot" / "desk"
# The web layer: what may know about HTTP requests and answers.
WEB = {"app.py", "asgi.py", "auth.py", "deps.py", "security.py", "demo_page.py", "api_docs.py"}
ROLES = {"models.py", "service.py", "flows.py", "views.py"}
# Old names for a role: one shape everywhere means none of these.
NOT_A_ROLE = {"flow.py", "turn.py", "handover.py", "handlers.py", "logic.py", "api.py"}


def desk_modules() -> list[Path]:
    return sorted(p for p in DESK.rglob("*.py") if "migrations" not in p.parts)


def imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            names |= {f"{node.module}.{a.name}" for a in node.names} | {node.module or ""}
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
    return names


def test_the_domain_never_raises_http_errors():
    speaking_http = [p.relative_to(ROOT).as_posix() for p in desk_modules()
                     if p.name != "views.py" and p.name not in WEB
                     and any(n.endswith("HTTPException") or n.startswith("fastapi.responses") for n in imported_names(p))]
    assert speaking_http == []


def test_views_do_not_query_the_database_themselves():
    querying = [p.relative_to(ROOT).as_posix() for p in desk_modules()
                if p.name == "views.py" and any(n.startswith("sqlalchemy") for n in imported_names(p))]
    assert querying == []


def test_every_desk_package_has_the_same_shape():
    packages = sorted(p.parent for p in DESK.rglob("__init__.py") if p.parent != DESK and "migrations" not in p.parts)
    odd = [f"{p.relative_to(ROOT).as_posix()}/{f.name}" for p in packages for f in p.glob("*.py") if f.name in NOT_A_ROLE]
    assert odd == []
    with_views = [p for p in packages if (p / "views.py").exists()]
    assert {p.name for p in with_views} >= {"agents", "callbacks", "canned", "conversations", "editing", "handoffs",
                                             "privacy"}
    # A package whose views change something has its service, and flows where a change takes several steps.
    for package in with_views:
        assert (package / "service.py").exists(), package.name


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, known: set[str], text: str | None = None) -> set[str]:
    """Every desk module this one imports, wherever the import stands (top, inside a function, under
    TYPE_CHECKING), with the packages Python runs on the way (importing a.b.c runs a/__init__ and a/b/__init__;
    not the packages this module is itself part of, which are running already). `text`: the module's source
    when it is not the file's."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    own = {".".join(here.split(".")[:i]) for i in range(1, len(here.split(".")))}
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text() if text is None else text, str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        for target in targets:
            parts = target.split(".")
            found |= {".".join(parts[:i]) for i in range(1, len(parts))} & known - own
            found |= {target} & known
    return found - {here}


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the path around it, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_no_import_cycle_among_desk_modules_not_even_a_hidden_one():
    modules = {module_name(p): p for p in desk_modules()}
    graph = {name: imports_of(path, set(modules)) for name, path in modules.items()}
    assert cycle_in(graph) is None
    assert not any(isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                   for p in modules.values() for node in ast.walk(ast.parse(p.read_text())))


def test_the_cycle_check_finds_a_cycle_behind_a_function_level_or_type_checking_import():
    """Three made-up desk modules: a imports b inside a function, b imports c under TYPE_CHECKING, c imports a
    relatively; the check sees the cycle, and none once c stops importing a."""
    sources = {"alpha": "def later():\n    from bot.desk import beta\n    return beta\n",
               "beta": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.desk.gamma import Thing\n",
               "gamma": "from . import alpha\n"}
    known = {f"bot.desk.{name}" for name in sources}
    graph = {f"bot.desk.{name}": imports_of(DESK / f"{name}.py", known, text) for name, text in sources.items()}
    assert cycle_in(graph) == ["bot.desk.alpha", "bot.desk.beta", "bot.desk.gamma", "bot.desk.alpha"]
    graph["bot.desk.gamma"] = imports_of(DESK / "gamma.py", known, "import json\n")
    assert cycle_in(graph) is None


# --- names ------------------------------------------------------------------------------------------------
OTHER_WORD = re.compile(r"hand_?over", re.I)  # the thing is a "handoff", everywhere
HANDING = re.compile(r"^_?hand_?(off|over|back)$")  # the functions that hand a conversation on


def product_sources() -> list[Path]:
    return sorted(p for folder in ("bot", "actions", "tests") for p in ROOT.joinpath(folder).rglob("*.py"))


def other_word_in(source: str) -> list[str]:
    """Identifiers that say "handover" (comments and sentences may)."""
    return [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type == tokenize.NAME and OTHER_WORD.search(t.string)]


def test_one_word_for_a_handoff_in_files_identifiers_and_tables():
    from bot.desk import models  # noqa: F401 - every table on the metadata
    from bot.desk.db import Base

    files = [p.relative_to(ROOT).as_posix() for folder in ("bot", "actions", "tests", "data", "docs")
             for p in ROOT.joinpath(folder).rglob("*") if OTHER_WORD.search(p.name)]
    names = [f"{p.relative_to(ROOT).as_posix()}: {name}" for p in product_sources() for name in other_word_in(p.read_text())]
    tables = [f"{t.name}.{c.name}" for t in Base.metadata.tables.values() for c in t.columns
              if OTHER_WORD.search(t.name) or OTHER_WORD.search(c.name)]
    assert (files, names, tables) == ([], [], [])
    assert other_word_in("def hand_over(handover_id): pass  # a handover") == ["hand_over", "handover_id"]


def test_no_two_functions_hand_a_conversation_on_under_one_name():
    """The bot's request for a person (actions/handoff.py) and the desk's flow that starts a handoff once had
    one name; a view may carry the name of the flow it calls."""
    defined: dict[str, list[str]] = {}
    for path in (p for folder in ("bot", "actions") for p in ROOT.joinpath(folder).rglob("*.py")):
        if path.name == "views.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and HANDING.match(node.name):
                defined.setdefault(node.name, []).append(path.relative_to(ROOT).as_posix())
    assert {name: places for name, places in defined.items() if len(places) > 1} == {}


# --- what follows a unit of work ----------------------------------------------------------------------------
REACTIONS = {"routing.react", "announce.react", "envelopes.of", "auto_assign"}
RUNS_UNITS_OF_WORK = {"transaction.py", "periodic.py"}  # besides the web layer: the desk's own loops


def reactions_started(source: str) -> set[str]:
    """The reactions this source starts itself (calls of routing.react, announce.react, envelopes.of, auto_assign)."""
    called = {ast.unparse(n.func) for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)}
    return {name for name in called if name in REACTIONS or name.split(".")[-1] == "auto_assign"}


def test_routing_the_customers_who_helps_you_and_the_pushes_are_started_in_one_place():
    """transaction.py starts them after the unit of work's commit; services only record events, and the domain
    reads nothing of the web app (its state, its requests)."""
    starting = {p.relative_to(ROOT).as_posix(): reactions_started(p.read_text()) for p in desk_modules()}
    starting = {path: names for path, names in starting.items() if names}
    assert starting == {"bot/desk/transaction.py": {"routing.react", "announce.react", "envelopes.of"},
                        "bot/desk/handoffs/routing.py": {"auto_assign"}}
    reaching = [p.relative_to(ROOT).as_posix() for p in desk_modules()
                if p.name != "views.py" and p.name not in WEB | RUNS_UNITS_OF_WORK
                and re.search(r"\bapp\.state\b|\bwork\.app\b|\brequest\.app\b", p.read_text())]
    assert reaching == []
    assert reactions_started("def f(work):\n    routing.react(work)\n    handoffs.routing.auto_assign(work)\n") == \
        {"routing.react", "handoffs.routing.auto_assign"}
