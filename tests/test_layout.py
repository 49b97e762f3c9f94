"""The desk's shape, checked over its source: views parse and call, the domain never speaks HTTP, and every
package names its parts alike (models / service / flows / views)."""
from __future__ import annotations

import ast
from pathlib import Path

from bot.config import ROOT

DESK = ROOT / "bot" / "desk"
# The web layer: what may know about HTTP requests and answers.
WEB = {"app.py", "asgi.py", "auth.py", "deps.py", "security.py", "limits.py", "demo_page.py"}
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
