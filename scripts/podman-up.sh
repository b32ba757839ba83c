#!/usr/bin/env bash
# Installs and starts Podman's API service on /run/podman/podman.sock (root, Debian), and copies the
# pocketdock images from Docker into it when Podman lacks them (no registry is assumed reachable).
# Idempotent: does only what is missing. Prints the socket path on stdout; progress goes to stderr.
set -euo pipefail

SOCK=/run/podman/podman.sock
DOCKER_SOCK=/var/run/docker.sock
STATE_DIR=${POCKETDOCK_STATE_DIR:-/var/lib/pocketdock}
# Images copied from Docker; the profiles the tests use.
IMAGES=${POCKETDOCK_PODMAN_IMAGES:-pocketdock/minimal-python}

log() { echo "podman-up: $*" >&2; }
die() { log "$*"; exit 1; }

answers() {
  [ -S "$1" ] && [ "$(curl -sf --max-time 3 --unix-socket "$1" http://localhost/_ping 2>/dev/null)" = OK ]
}

[ "$(id -u)" -eq 0 ] || die "needs root (installs packages, listens on $SOCK)"

missing=()
command -v podman >/dev/null || missing+=(podman)
command -v curl >/dev/null || missing+=(curl ca-certificates)
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "no apt-get to install ${missing[*]} with"
  log "installing ${missing[*]}"
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
fi

# Inside a container the default ulimits (nofile, nproc) may exceed what this process may grant,
# and every container create then fails.
conf=/etc/containers/containers.conf
if ! grep -q '^default_ulimits *= *\[\]' "$conf" 2>/dev/null; then
  log "writing $conf (default_ulimits = [])"
  mkdir -p /etc/containers
  if grep -q '^\[containers\]' "$conf" 2>/dev/null; then
    sed -i '/^\[containers\]/a default_ulimits = []' "$conf"
  else
    printf '[containers]\ndefault_ulimits = []\n' >>"$conf"
  fi
fi

if ! answers "$SOCK"; then
  mkdir -p "$(dirname "$SOCK")" "$STATE_DIR"
  rm -f "$SOCK"
  engine_log="$STATE_DIR/podman.log"
  log "starting podman system service (log: $engine_log)"
  # From /: the service's conmon children inherit its working directory, and fail to start any
  # container once that directory is gone (a checkout removed after the service was started).
  nohup env -C / setsid podman system service --time=0 "unix://$SOCK" >>"$engine_log" 2>&1 </dev/null &
  pid=$!
  for _ in $(seq 60); do
    answers "$SOCK" && break
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$engine_log" >&2; die "podman service exited before answering"; }
    sleep 0.5
  done
  answers "$SOCK" || die "podman did not answer on $SOCK within 30 s"
  log "podman is up"
fi

for image in $IMAGES; do
  if podman image exists "$image"; then continue; fi
  answers "$DOCKER_SOCK" || die "podman lacks $image and no Docker answers on $DOCKER_SOCK to copy it from"
  docker image inspect "$image" >/dev/null 2>&1 || die "podman lacks $image and Docker has none to copy (build it first: npm run setup)"
  log "copying $image from Docker"
  docker save "$image" | podman load >&2
done

echo "$SOCK"
