#!/usr/bin/env bash
# Builds the agent for this machine's architecture as one static binary (musl when musl-gcc is
# there, else glibc's static libc), into dist/pocketdock-agent-linux-<arch>; skipped when up to date.
# The binary carries the hash of its sources (src/binary.ts computes the same): the daemon starts
# no agent built from other sources than the ones it ships.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")"
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac
out=dist/pocketdock-agent-linux-$arch
stale=0
[ -f "$out" ] || stale=1
for f in src/*.c src/*.h build.sh; do [ "$f" -nt "$out" ] && stale=1; done
[ $stale = 1 ] || exit 0
cc=musl-gcc
command -v "$cc" >/dev/null || cc=gcc
command -v "$cc" >/dev/null || { echo "agent: no C compiler, not built" >&2; exit 1; }
build=$(cat src/*.[ch] | sha256sum | cut -c1-16)
mkdir -p dist
"$cc" -static -Os -std=c11 -D_GNU_SOURCE -DAGENT_BUILD="\"$build\"" -Wall -Wextra -Werror -o "$out.tmp" src/*.c
strip "$out.tmp" 2>/dev/null || true
mv "$out.tmp" "$out"
echo "agent: built $out (build $build) with $cc" >&2
