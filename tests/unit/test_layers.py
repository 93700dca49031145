"""The domain core stays pure: no database, web or CLI library is imported there."""

import ast
from pathlib import Path

DOMAIN = Path(__file__).parents[2] / "src" / "aidhub" / "domain"
FORBIDDEN = ("sqlalchemy", "fastapi", "starlette", "typer", "rich", "alembic", "psycopg",
             "aidhub.store", "aidhub.services", "aidhub.web", "aidhub.cli")


def test_domain_imports_nothing_outside_the_standard_library_and_itself():
    for path in DOMAIN.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"


def test_the_solver_works_without_database_web_or_cli():
    """`aidhub plan solve FILE` runs the same solver with no database: the planning
    package may use numpy, scipy and HiGHS, but nothing of the store or the entry points."""
    for path in (DOMAIN.parent / "planning").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"planning/{path.name} imports {name}"
