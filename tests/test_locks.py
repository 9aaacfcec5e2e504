"""Two locks: production installs the runtime set only; development adds its tools on top.

requirements.lock is what the README's deploy steps install; requirements-dev.lock is what `make`
(and so `make run`, `make test` and .ci/run) installs. Both come from pyproject.toml (`make lock`).
"""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def _name(requirement: str) -> str:
    return re.split(r"[\[=<>; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pins(path: str) -> dict[str, str]:
    return {name.lower(): version for name, version in PIN.findall((ROOT / path).read_text())}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_runtime_lock_has_no_development_tools():
    runtime = _pins("requirements.lock")
    dev_tools = {_name(r) for r in _project()["dependency-groups"]["dev"]}
    # And what the tools bring with them: moto's server (Flask, Werkzeug), Playwright's greenlet.
    dev_tools |= {"flask", "werkzeug", "greenlet", "pluggy", "iniconfig"}
    assert not dev_tools & set(runtime), sorted(dev_tools & set(runtime))


def test_every_runtime_dependency_is_pinned_as_pyproject_says():
    runtime = _pins("requirements.lock")
    for requirement in _project()["project"]["dependencies"]:
        name, version = _name(requirement), requirement.split("==", 1)[1]
        assert runtime.get(name) == version, requirement


def test_both_locks_install_the_same_version_of_what_they_share():
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert set(runtime) <= set(dev)
    assert {name: (v, dev[name]) for name, v in runtime.items() if dev[name] != v} == {}
    assert {_name(r) for r in _project()["dependency-groups"]["dev"]} <= set(dev)


def test_make_installs_the_dev_lock_and_the_deploy_steps_the_runtime_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "uv pip sync --quiet --python $(PY) requirements-dev.lock" in makefile
    deploy = (ROOT / "README.md").read_text().split("\n## Deploy\n", 1)[1]
    installs = [line for line in deploy.splitlines() if "pip install" in line]
    assert installs and all("-r requirements.lock" in line for line in installs), installs
    assert "requirements-dev.lock" not in "\n".join(installs)
