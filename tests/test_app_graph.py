"""The apps import one way (DESIGN.md, issue 17): a lower app never imports a higher one.

Read from the source (every import statement, lazy ones inside functions too), so a cycle cannot
hide behind an import placed in a function body.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# app -> the apps above it, which it must never import
NEVER: dict[str, tuple[str, ...]] = {
    "accounts": ("academics", "homework", "media", "incidents"),
    "academics": ("homework", "media"),
}


def _imports(app: str) -> list[tuple[str, int, str]]:
    found = []
    for path in (ROOT / app).rglob("*.py"):
        if "tests" in path.relative_to(ROOT / app).parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((str(path.relative_to(ROOT)), node.lineno, node.module))
            elif isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), node.lineno, alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("app", sorted(NEVER))
def test_app_never_imports_a_higher_app(app):
    upward = [
        f"{where}:{line} imports {module}"
        for where, line, module in _imports(app)
        if module.split(".")[0] in NEVER[app]
    ]
    assert upward == []
