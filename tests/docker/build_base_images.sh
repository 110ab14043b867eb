#!/usr/bin/env bash
# Base images for `make test-docker` on a machine that cannot pull from an image registry.
#
# The Dockerfile and docker-compose.yml take their base images as variables (official images by
# default). If the official images are present or pullable, this script builds nothing and prints
# their names. Otherwise it builds stand-ins from Debian packages - a trixie root filesystem made
# with debootstrap (`local/trixie:base`), then Node 20, Python 3 (a venv first on PATH, as pip and
# python behave in the official image) and PostgreSQL (an entrypoint that honours POSTGRES_USER,
# POSTGRES_PASSWORD and POSTGRES_DB like the official one) - and prints their names.
#
# stdout: shell assignments to eval, e.g. STUDIO_PYTHON_IMAGE=local/python:trixie; progress: stderr.
# Needs a running Docker engine; the stand-ins need root, debootstrap and a Debian mirror.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OFFICIAL_NODE=${OFFICIAL_NODE_IMAGE:-node:20-slim}
OFFICIAL_PYTHON=${OFFICIAL_PYTHON_IMAGE:-python:3.11-slim}
OFFICIAL_POSTGRES=${OFFICIAL_POSTGRES_IMAGE:-postgres:16}
BASE=local/trixie:base
CA_BUNDLE=${STANDIN_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

log() { printf '[base-images] %s\n' "$*" >&2; }

available() {  # present locally, or pulled now
  docker image inspect "$1" >/dev/null 2>&1 || docker pull -q "$1" >/dev/null 2>&1
}

if available "$OFFICIAL_NODE" && available "$OFFICIAL_PYTHON" && available "$OFFICIAL_POSTGRES"; then
  log "official images available: $OFFICIAL_NODE, $OFFICIAL_PYTHON, $OFFICIAL_POSTGRES"
  printf 'STUDIO_NODE_IMAGE=%s\nSTUDIO_PYTHON_IMAGE=%s\nSTUDIO_POSTGRES_IMAGE=%s\n' \
    "$OFFICIAL_NODE" "$OFFICIAL_PYTHON" "$OFFICIAL_POSTGRES"
  exit 0
fi
log "no image registry: building stand-ins from Debian packages"

debian_mirror() {  # the host's own Debian mirror (deb822 or one-line sources), else deb.debian.org
  local uri
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$uri" ] || uri=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    | awk '{print $2}' | grep -v security | head -n1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

if ! docker image inspect "$BASE" >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || { log "debootstrap is missing (apt-get install debootstrap)"; exit 1; }
  [ "$(id -u)" = 0 ] || { log "debootstrap needs root"; exit 1; }
  mirror=$(debian_mirror)
  rootfs=$(mktemp -d /tmp/trixie-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  log "debootstrap trixie from $mirror (a few minutes)"
  debootstrap --variant=minbase trixie "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { tail -n 20 "$rootfs.log" >&2; exit 1; }
  rm -f "$rootfs.log"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import - "$BASE" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  log "imported $BASE"
fi

# Each stand-in: its Dockerfile (and files) plus the host's CA bundle, built on the host network
# (build containers then reach the package registries exactly as the host does).
build_standin() {
  local name=$1 tag=$2 context
  context=$(mktemp -d /tmp/standin-"$name".XXXXXX)
  cp -r "$HERE/standins/$name/." "$context/"
  cp "$CA_BUNDLE" "$context/host-ca.crt"
  log "building $tag"
  if ! docker build --network host -t "$tag" "$context" >"$context.log" 2>&1; then
    tail -n 30 "$context.log" >&2
    rm -rf "$context" "$context.log"
    exit 1
  fi
  rm -rf "$context" "$context.log"
}

build_standin node local/node:trixie
build_standin python local/python:trixie
build_standin postgres local/postgres:trixie
printf 'STUDIO_NODE_IMAGE=%s\nSTUDIO_PYTHON_IMAGE=%s\nSTUDIO_POSTGRES_IMAGE=%s\n' \
  local/node:trixie local/python:trixie local/postgres:trixie
