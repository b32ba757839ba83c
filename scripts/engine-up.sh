#!/usr/bin/env bash
# Finds a running container engine, or installs and starts Docker when none answers.
# Prints the engine's socket path on stdout (one line); progress goes to stderr.
set -euo pipefail

STATE_DIR=${POCKETDOCK_STATE_DIR:-/var/lib/pocketdock}
DOCKER_SOCK=/var/run/docker.sock

log() { echo "engine-up: $*" >&2; }
die() { log "$*"; exit 1; }

answers() {
  [ -S "$1" ] && command -v curl >/dev/null &&
    [ "$(curl -sf --max-time 3 --unix-socket "$1" http://localhost/_ping 2>/dev/null)" = OK ]
}

find_engine() {
  local sock
  for sock in "${POCKETDOCK_SOCKET:-}" "${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/podman/podman.sock}" \
    /run/podman/podman.sock "$DOCKER_SOCK"; do
    if [ -n "$sock" ] && answers "$sock"; then
      echo "$sock"
      return 0
    fi
  done
  return 1
}

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    log "apt-get update"
    apt-get update >&2
    apt_updated=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2
}

# Whether a pid file names a live (not zombie) process with the given command name.
pid_alive() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] &&
    ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null
}

# dockerd refuses to start over the pid file of a dockerd that died abruptly, and would
# reuse a containerd pid file whose number now belongs to another process.
clear_stale_state() {
  if [ -e /var/run/docker.pid ] && ! pid_alive /var/run/docker.pid dockerd; then
    log "removing stale /var/run/docker.pid"
    rm -f /var/run/docker.pid
  fi
  local ctrd=/var/run/docker/containerd
  if [ -e "$ctrd/containerd.pid" ] && ! pid_alive "$ctrd/containerd.pid" containerd; then
    log "removing stale containerd pid file and sockets"
    rm -f "$ctrd/containerd.pid" "$ctrd/containerd.sock" "$ctrd/containerd.sock.ttrpc" "$ctrd/containerd-debug.sock"
  fi
}

if find_engine; then exit 0; fi

[ "$(id -u)" -eq 0 ] || die "no container engine answers (tried \$POCKETDOCK_SOCKET, podman and docker sockets) and starting one needs root"
command -v apt-get >/dev/null || die "no container engine answers and there is no apt-get to install Docker with; start Docker or Podman and set POCKETDOCK_SOCKET"

missing=()
command -v curl >/dev/null || missing+=(curl ca-certificates)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v dockerd >/dev/null || missing+=(docker.io)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
  # curl may just have arrived: an engine could have been running unseen.
  if find_engine; then exit 0; fi
fi

mkdir -p "$STATE_DIR"
engine_log="$STATE_DIR/dockerd.log"
if pid_alive /var/run/docker.pid dockerd; then
  log "dockerd is running but not answering yet; waiting"
  dockerd_pid=$(cat /var/run/docker.pid)
else
  clear_stale_state
  log "starting dockerd (log: $engine_log)"
  echo "--- engine-up: starting dockerd at $(date -u +%FT%TZ)" >>"$engine_log"
  # From /, so that the engine does not hold on to (or depend on) the checkout it was started from.
  nohup env -C / setsid dockerd >>"$engine_log" 2>&1 </dev/null &
  dockerd_pid=$!
fi

failure="did not answer on $DOCKER_SOCK within 60 s"
for _ in $(seq 120); do
  if answers "$DOCKER_SOCK"; then
    log "dockerd is up"
    echo "$DOCKER_SOCK"
    exit 0
  fi
  kill -0 "$dockerd_pid" 2>/dev/null || { failure="exited before answering"; break; }
  sleep 0.5
done

log "dockerd $failure; last lines of $engine_log:"
tail -n 20 "$engine_log" >&2 || true
exit 1
