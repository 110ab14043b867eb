# Cluster Studio — `make run` starts the studio, `make test` runs every test. Both install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := .make
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	$(wildcard frontend/index.html frontend/vite.config.ts frontend/tsconfig*.json frontend/package-lock.json)
CHROMIUM := /usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run install test test-lint test-types test-py test-frontend test-e2e test-docker bench clean

## ---- install -------------------------------------------------------------------------------
$(STAMP):
	@mkdir -p $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP)/python-runtime: pyproject.toml constraints.txt | $(PY) $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e .
	@touch $@

$(STAMP)/python-dev: pyproject.toml constraints.txt $(STAMP)/python-runtime | $(PY) $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

## The engine's compiled kernels, built once into Numba's on-disk cache (the first run then has no
## compile wait): the cache the server's workers read (NUMBA_CACHE_DIR if set, else __pycache__ beside
## the sources). Redone when the engine's sources, the install, or what the machine code depends on
## (kernel-platform) change; a no-op load otherwise.
$(STAMP)/kernels: $(STAMP)/python-runtime $(STAMP)/kernel-platform $(wildcard modules/engine/*.py)
	$(PY) -m modules.engine.precompile
	@touch $@

## Python, the compiler's and the kernels' packages, the CPU and the cache folder: rewritten (and so newer
## than .make/kernels) only when one of them changed, e.g. after a `pip install` outside `make`.
$(STAMP)/kernel-platform: FORCE $(STAMP)/python-runtime
	@$(PY) -c 'import os, platform, importlib.metadata as m; \
	cpu = [l.strip() for l in open("/proc/cpuinfo") if l.startswith(("model name", "flags"))][:2] if os.path.exists("/proc/cpuinfo") else [platform.processor()]; \
	print(platform.python_version(), *(p + " " + m.version(p) for p in ("numba", "llvmlite", "numpy", "scipy")), \
	      os.environ.get("NUMBA_CACHE_DIR", ""), *cpu, sep="\n")' > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv -f $@.new $@

.PHONY: FORCE
FORCE:

frontend/node_modules/.package-lock.json: frontend/package-lock.json frontend/package.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	cd frontend && npm run build
	@touch $@

install: $(STAMP)/python-runtime $(STAMP)/kernels frontend/dist/index.html

## Debian packages the tests drive: Chromium (browser tests) and the PostgreSQL server (database tests).
$(STAMP)/system-packages: | $(STAMP)
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing="$$missing chromium chromium-driver"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      $$(echo $$missing | sed 's/docker-compose//') >/dev/null; \
	    case "$$missing" in *docker-compose*) DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends docker-compose >/dev/null;; esac; \
	  else \
	    echo "Missing:$$missing. Install them (Debian: sudo apt-get install -y$$missing) and run make test again."; \
	    exit 1; \
	  fi; \
	fi
	@touch $@

## ---- files written from the code (scripts/generated.py) ----------------------------------------
## `make generated` rewrites all of them: the TypeScript API types, the frontend tests' module catalogue and
## docs/modules.md; `make api-types` only the first. `make check-generated` (in test-lint) fails on a stale one.
.PHONY: generated api-types check-generated
generated: $(STAMP)/python-dev frontend/node_modules/.package-lock.json
	$(PY) -m scripts.generated

api-types: $(STAMP)/python-dev frontend/node_modules/.package-lock.json
	$(PY) -m scripts.generated api-types

check-generated: $(STAMP)/python-dev frontend/node_modules/.package-lock.json
	$(PY) -m scripts.generated --check

## ---- run -------------------------------------------------------------------------------------
run: install
	$(PY) -m backend

## ---- test ------------------------------------------------------------------------------------
test: test-lint test-types test-py test-frontend test-e2e test-docker

test-lint: $(STAMP)/python-dev frontend/node_modules/.package-lock.json
	$(VENV)/bin/ruff check backend modules tests bench migrations scripts
	$(VENV)/bin/ruff format --check backend modules tests bench migrations scripts
	$(PY) -m scripts.check_links
	$(PY) -m scripts.generated --check
	cd frontend && npm run lint

test-types: $(STAMP)/python-dev frontend/node_modules/.package-lock.json
	$(VENV)/bin/mypy
	cd frontend && npm run typecheck

## Tests start real workers, which load every kernel before their first task: fill the cache first.
test-py: $(STAMP)/python-dev $(STAMP)/system-packages $(STAMP)/kernels
	$(VENV)/bin/pytest -m "not e2e and not docker" -q --durations=25

test-frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm test

test-e2e: $(STAMP)/python-dev $(STAMP)/system-packages $(STAMP)/kernels frontend/dist/index.html
	$(VENV)/bin/pytest tests/e2e -m e2e -q

## The image and docker-compose.yml built and run (Docker engine started and base images built if
## needed; see tests/docker/run.sh).
test-docker: $(STAMP)/python-dev
	tests/docker/run.sh

## Timings are gated here, never in tests: each benchmark exits 1 when it misses a target.
bench: $(STAMP)/python-dev $(STAMP)/system-packages frontend/dist/index.html
	$(PY) -m bench.bench_engine
	$(PY) -m bench.bench_module
	$(PY) -m bench.bench_api
	$(PY) -m bench.bench_views
	$(PY) -m bench.bench_browser
	$(PY) -m bench.bench_auth
	$(PY) -m bench.bench_service
	$(PY) -m bench.bench_ingest
	$(PY) -m bench.bench_runs
	$(PY) -m bench.bench_gaussian_mixture
	$(PY) -m bench.bench_hierarchical
	$(PY) -m bench.bench_dbscan
	$(PY) -m bench.bench_hdbscan
	$(PY) -m bench.bench_dask

clean:
	rm -rf $(STAMP) $(VENV) frontend/node_modules frontend/dist
