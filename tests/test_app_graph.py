"""The domain apps form a one-way graph: an app may use only the apps below it.

    homework            (a parent hands in work for a student: uses academics and media)
    academics | media   (students, lessons, tasks | a generic upload-and-optimise pipeline)
    incidents           (the hub: academics and homework register their entities into it)
    jobs                (the background queue every app above hands work to)
    academy, accounts, audit, ui   (kernel: settings and errors, people, the audit trail, widgets)

Apps on one floor do not use each other, except inside the kernel. Pages that show sections of an
app above them get those through a registry the upper app fills in its `AppConfig.ready`. The
rule covers every import (also one inside a function or under TYPE_CHECKING) and every relation
between models. `academy/urls.py`, `academy/settings.py` and `academy/wsgi.py` compose the project
and may name any app.
"""

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]
KERNEL = frozenset({"academy", "accounts", "audit", "ui"})
FLOORS: dict[str, int] = {
    **dict.fromkeys(KERNEL, 0),
    "jobs": 1,
    "incidents": 2,
    "academics": 3,
    "media": 3,
    "homework": 4,
}
COMPOSITION_ROOT = {"academy/urls.py", "academy/settings.py", "academy/wsgi.py"}


def may_use(app: str, other: str) -> bool:
    if app == other or (app in KERNEL and other in KERNEL):
        return True
    return FLOORS[other] < FLOORS[app]


def _imported_modules(tree: ast.AST) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def import_violations() -> list[str]:
    violations = []
    for app in FLOORS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if {"tests", "migrations"} & set(relative.parts) or str(relative) in COMPOSITION_ROOT:
                continue
            for module in _imported_modules(ast.parse(path.read_text(), str(relative))):
                other = module.split(".")[0]
                if other in FLOORS and not may_use(app, other):
                    violations.append(f"{relative} imports {module}")
    return violations


def relation_violations() -> list[str]:
    violations = []
    for model in apps.get_models():
        app = model._meta.app_label
        if app not in FLOORS:
            continue
        for field in model._meta.get_fields(include_hidden=True):
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            other = field.related_model._meta.app_label
            if other in FLOORS and not may_use(app, other):
                violations.append(
                    f"{model._meta.label}.{field.name} points at {field.related_model._meta.label}"
                )
    return violations


def test_every_app_is_on_a_floor():
    project_apps = {config.label for config in apps.get_app_configs() if (ROOT / config.label).is_dir()}
    assert project_apps - {"academy"} <= set(FLOORS), sorted(project_apps - set(FLOORS))


def test_no_app_imports_an_app_above_it_or_beside_it():
    assert import_violations() == []


def test_no_model_points_at_an_app_above_it_or_beside_it():
    assert relation_violations() == []


def test_the_rule_catches_an_upward_import():
    tree = ast.parse("def f():\n    from homework.queries import x\n")
    assert _imported_modules(tree) == ["homework.queries"]
    assert not may_use("academics", "homework")
    assert not may_use("media", "academics")
    assert may_use("homework", "media") and may_use("incidents", "accounts") and may_use("ui", "accounts")
