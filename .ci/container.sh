#!/usr/bin/env bash
# Build the Dockerfile with podman (no Docker engine or Docker Hub here) and run the
# container test against the test Dovecot on the host network. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/cassbot-image-XXXX)
trap 'rm -rf "$work"' EXIT

missing=""
for tool in podman runc debootstrap; do command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"; done
if [ -n "$missing" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# The sandbox cannot raise ulimits: tell podman to ask for what the host allows.
hard=$(ulimit -Hn)
cat > "$work/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$hard:$hard", "nproc=32768:32768"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF="$work/containers.conf"

# The base image the Dockerfile names, made from Debian's own packages.
base=$(sed -n 's/^FROM //p' Dockerfile | head -1)
if ! podman image exists "$base"; then
  mirror=$(sed -n 's/^URIs: //p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  debootstrap --variant=minbase bookworm "$work/rootfs" "${mirror:-http://deb.debian.org/debian}" >/dev/null
  tar -C "$work/rootfs" -c . | podman import - "$base" >/dev/null
fi

# HTTPS from inside the build is intercepted as on the host: give pip the host's CA bundle.
ca=/etc/ssl/certs/ca-certificates.crt
podman build --quiet --format docker --network host --volume "$ca:/host-ca.crt:ro" --build-arg PIP_CERT=/host-ca.crt \
  -t cassbot:ci . >/dev/null
podman image inspect cassbot:ci --format 'image cassbot:ci: {{.Size}} bytes'

CASSBOT_IMAGE=cassbot:ci .venv/bin/python -m pytest -q tests/test_container.py
