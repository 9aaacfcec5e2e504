# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
# Two locks, both pinned with hashes: requirements.lock is what production installs (the app and
# its runtime), requirements-dev.lock adds the development tools (tests, browser, linters) and is
# what `make` installs here. `make lock` regenerates both from pyproject.toml.
PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.synced

.PHONY: run test bootstrap lint migrate clean lock

# Find a Python matching .python-version: pyenv's shim, python3.13 on PATH, or pyenv's install dir.
BASE_PYTHON := $(shell command -v python$(PYTHON_VERSION) 2>/dev/null || (command -v pyenv >/dev/null && pyenv root >/dev/null 2>&1 && ls -d "$$(pyenv root)"/versions/$(PYTHON_VERSION)*/bin/python 2>/dev/null | tail -1))

$(PY):
	@test -n "$(BASE_PYTHON)" || { echo "Python $(PYTHON_VERSION) is needed (pyenv install $(PYTHON_VERSION))"; exit 1; }
	$(BASE_PYTHON) -m venv $(VENV)

UV_VERSION := 0.13.8
COMPILE := $(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --python-version $(PYTHON_VERSION) --universal --quiet

$(STAMP): $(PY) requirements-dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip sync --quiet --python $(PY) requirements-dev.lock
	touch $(STAMP)

# Test-only tools from the npm registry (axe-core for the accessibility audit); never served.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $(NODE_STAMP)

bootstrap: $(STAMP)
	@mkdir -p var

migrate: export DEBUG ?= 1
migrate: bootstrap
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

run: export DEBUG ?= 1
run: migrate
	$(PY) manage.py seed_demo
	bin/run

test: bootstrap $(NODE_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(VENV)/bin/mypy .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# Runtime first; the dev lock keeps the runtime pins (uv prefers the versions already in its output
# and the runtime lock is a constraint), so both install the same version of every shared package.
lock: bootstrap
	$(COMPILE) -o requirements.lock
	$(COMPILE) --group dev -c requirements.lock -o requirements-dev.lock

clean:
	rm -rf $(VENV) var
