#!/usr/bin/env bash
# `make test-docker`: the Docker image and docker-compose.yml, really built and run.
#
# Starts a Docker engine if none is running (in its own session; stopped again at the end), builds
# stand-in base images when no image registry is reachable (build_base_images.sh), builds the app
# image through compose, starts it with PostgreSQL, waits for /api/health, runs an experiment over
# HTTP (tests/docker/test_container.py), recreates the containers (volumes kept), checks that the
# user, dataset, experiment and run are all still there, then starts the `dask` profile (a scheduler
# and two workers of the same image) with STUDIO_EXECUTOR=dask and runs an experiment on its workers,
# and always removes its containers and volumes. Images stay, so the next run builds from the Docker cache.
#
# Environment: STUDIO_DOCKER_PORT (host port, default: a free one), STUDIO_DOCKER_PROJECT (compose
# project, default clusterstudio-test), STUDIO_BUILD_NETWORK (default host).
set -euo pipefail
cd "$(dirname "$0")/../.."

PROJECT=${STUDIO_DOCKER_PROJECT:-clusterstudio-test}
PY=${PY:-.venv/bin/python}
PYTEST=${PYTEST:-.venv/bin/pytest}
WORK=$(mktemp -d /tmp/cluster-studio-docker.XXXXXX)
DOCKERD_PID=""
COMPOSE_UP=""
T0=$SECONDS

log() { printf '[test-docker %4ds] %s\n' $((SECONDS - T0)) "$*" >&2; }

cleanup() {
  local rc=$?
  set +e
  if [ -n "$COMPOSE_UP" ]; then
    if [ "$rc" != 0 ]; then
      log "failed: the containers' last log lines"
      compose logs --no-color --tail=60 >&2
    fi
    log "removing the containers and volumes"
    compose_all down -v --remove-orphans >/dev/null 2>&1
  fi
  if [ -n "$DOCKERD_PID" ]; then
    log "stopping the Docker engine started here (pid $DOCKERD_PID)"
    kill "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -rf "$WORK"
  log "$([ "$rc" = 0 ] && echo passed || echo "FAILED (exit $rc)") after $((SECONDS - T0)) s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One run at a time on a machine: runs share the engine (and one may have started it).
exec 9>/tmp/cluster-studio-test-docker.lock
flock -n 9 || { log "waiting for another make test-docker to finish"; flock 9; }

# ---- Debian packages: the engine, compose, debootstrap (for stand-ins) ---------------------------
missing=""
docker info >/dev/null 2>&1 || command -v dockerd >/dev/null || missing="$missing docker.io"
{ docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null; } \
  || missing="$missing docker-compose"
command -v debootstrap >/dev/null || missing="$missing debootstrap"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian packages:$missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    log "missing:$missing (Debian: sudo apt-get install -y$missing)"
    exit 1
  fi
fi

# ---- the Docker engine ---------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { log "no Docker engine is running, and starting one needs root"; exit 1; }
  log "starting dockerd"
  setsid dockerd --pidfile "$WORK/dockerd.pid" >"$WORK/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 120); do
    docker info >/dev/null 2>&1 && [ -s "$WORK/dockerd.pid" ] && break
    sleep 0.5
  done
  if ! docker info >/dev/null 2>&1; then
    tail -n 20 "$WORK/dockerd.log" >&2
    log "dockerd did not start"
    exit 1
  fi
  DOCKERD_PID=$(cat "$WORK/dockerd.pid")
fi

if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
# The dask profile named always: `down` then removes its services too (a profile's services are
# only started when the profile is named).
compose() { "${COMPOSE[@]}" -p "$PROJECT" -f docker-compose.yml "$@"; }
compose_all() { compose --profile dask "$@"; }
log "engine $(docker version -f '{{.Server.Version}}'), ${COMPOSE[*]} $("${COMPOSE[@]}" version --short 2>/dev/null)"

# ---- images --------------------------------------------------------------------------------------
compose_all down -v --remove-orphans >/dev/null 2>&1 || true  # leftovers of an interrupted run
T=$SECONDS
images=$(tests/docker/build_base_images.sh)
eval "$images"
export STUDIO_NODE_IMAGE STUDIO_PYTHON_IMAGE STUDIO_POSTGRES_IMAGE
export STUDIO_BUILD_NETWORK=${STUDIO_BUILD_NETWORK:-host}
log "base images ($((SECONDS - T)) s): $STUDIO_NODE_IMAGE, $STUDIO_PYTHON_IMAGE, $STUDIO_POSTGRES_IMAGE"

T=$SECONDS
if ! compose build app >"$WORK/build.log" 2>&1; then
  tail -n 40 "$WORK/build.log" >&2
  log "the app image did not build"
  exit 1
fi
grep '^precompile:' "$WORK/build.log" | sed 's/^/    /' >&2 || true
log "app image built ($((SECONDS - T)) s)"

# ---- run, check, recreate, check again ------------------------------------------------------------
export STUDIO_PORT=${STUDIO_DOCKER_PORT:-$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
export STUDIO_DOCKER_URL=http://127.0.0.1:$STUDIO_PORT
export STUDIO_DOCKER_STATE=$WORK/state.json

wait_for_health() {
  "$PY" - "$STUDIO_DOCKER_URL/api/health" <<'EOF'
import json, sys, time, urllib.request

deadline = time.monotonic() + 180
while True:
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=5) as response:
            print(json.dumps(json.load(response)))
            break
    except OSError as error:
        if time.monotonic() > deadline:
            sys.exit(f"no answer from {sys.argv[1]}: {error}")
        time.sleep(0.5)
EOF
}

start() {  # start [--profile dask]
  local t=$SECONDS
  COMPOSE_UP=1
  compose "$@" up -d >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; exit 1; }
  log "health after $((SECONDS - t)) s: $(wait_for_health)"
}

start
log "first experiment through the API"
"$PYTEST" -p no:cacheprovider -q -s -m docker \
  "tests/docker/test_container.py::test_a_fresh_container_runs_an_experiment"

log "the kernel cache as the runtime user, in the running container"
compose exec -T app sh -c 'id -un; python -m modules.engine.precompile --check' | sed 's/^/    /' >&2

log "recreating the containers (volumes kept)"
compose down >/dev/null 2>&1
start
"$PYTEST" -p no:cacheprovider -q -s -m docker \
  "tests/docker/test_container.py::test_everything_is_still_there_after_a_restart"

log "the dask profile: a scheduler and two workers of the same image, the same volumes"
compose down >/dev/null 2>&1
export STUDIO_EXECUTOR=dask
start --profile dask
"$PYTEST" -p no:cacheprovider -q -s -m docker \
  "tests/docker/test_container.py::test_the_dask_profile_runs_the_nodes_on_its_two_workers"
