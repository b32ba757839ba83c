#!/usr/bin/env bash
# Creates the offline base image pocketdock/base:bookworm (debootstrap from the Debian mirror,
# imported through the engine API, so it works with Docker and Podman alike).
# Usage: bootstrap-base.sh [ENGINE_SOCKET]   (default: $POCKETDOCK_SOCKET)
set -euo pipefail

SOCK=${1:-${POCKETDOCK_SOCKET:-}}
STATE_DIR=${POCKETDOCK_STATE_DIR:-/var/lib/pocketdock}
MIRROR=${POCKETDOCK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
REPO=pocketdock/base
TAG=bookworm

log() { echo "bootstrap-base: $*" >&2; }
die() { log "$*"; exit 1; }

[ -n "$SOCK" ] || die "no engine socket: pass it as the first argument or set POCKETDOCK_SOCKET"
[ -S "$SOCK" ] || die "$SOCK is not a socket"

if curl -sf --max-time 10 --unix-socket "$SOCK" "http://localhost/images/$REPO:$TAG/json" >/dev/null; then
  log "$REPO:$TAG already exists"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "debootstrap needs root; run: sudo $0 $SOCK"
if ! command -v debootstrap >/dev/null; then
  command -v apt-get >/dev/null || die "debootstrap is missing and there is no apt-get to install it"
  log "installing debootstrap"
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap >&2
fi

mkdir -p "$STATE_DIR"
rootfs=$(mktemp -d "$STATE_DIR/base-rootfs.XXXXXX")
build_log="$STATE_DIR/bootstrap-base.log"

# An interrupted debootstrap can leave proc/sys/dev mounted inside the rootfs: unmount them,
# and never let rm cross into another file system.
cleanup() {
  awk -v root="$rootfs/" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r mnt; do umount -l "$mnt" || true; done
  rm -rf --one-file-system "$rootfs"
}
trap cleanup EXIT

log "debootstrap bookworm from $MIRROR (a few minutes; log: $build_log)"
if ! debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$build_log" 2>&1; then
  tail -n 20 "$build_log" >&2
  die "debootstrap failed (full log: $build_log)"
fi

# Package caches would only add weight: every profile runs apt-get update itself.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

log "importing into the engine as $REPO:$TAG"
# The tag goes inside repo=: Podman ignores a separate tag= on import (and would name it :latest).
response=$(tar -C "$rootfs" --numeric-owner -c . |
  curl -sS --fail-with-body --unix-socket "$SOCK" -X POST -T - -H 'Content-Type: application/x-tar' \
    "http://localhost/images/create?fromSrc=-&repo=$REPO:$TAG") || die "import failed: $response"
case "$response" in
  *'"error'*) die "import failed: $response" ;;
esac
log "created $REPO:$TAG"
