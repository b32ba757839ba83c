#!/usr/bin/env bash
# Everything pocketdock needs before it runs, idempotent: npm dependencies, the build (the in-container
# agent too, with musl-gcc installed on Debian when missing), pytest for the Python client's tests, a
# running container engine (installed on Debian when missing), and the default image (built offline;
# every profile's with --all-profiles).
# Used by `npm start`, `npm test` and CI; each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'setup: %s\n' "$*" >&2; }

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.pocketdock-lock 2>/dev/null)" != "$lock_hash" ]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock_hash" > node_modules/.pocketdock-lock
fi

say "building"
npx tsc -b >&2
# The agent is C; without a compiler the daemon runs every command through the engine's exec instead.
if ! command -v musl-gcc >/dev/null && command -v apt-get >/dev/null; then
  say "installing musl-tools (the agent's C library)"
  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y musl-tools) >&2 || say "musl-tools not installed"
fi
npm run --silent build -w @pocketdock/agent >&2 || say "the agent did not build: commands will run through the engine's exec"
npm run --silent build -w @pocketdock/dashboard >&2
# The CLI's shell tests type into a real terminal (tmux's); its completion tests load the scripts into bash and zsh.
missing=$(for tool in tmux zsh; do command -v "$tool" >/dev/null || echo "$tool"; done | tr '\n' ' ')
if [ -n "$missing" ] && command -v apt-get >/dev/null; then
  say "installing $missing(the CLI's terminal and completion tests)"
  # shellcheck disable=SC2086 # one package name per word
  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $missing) >&2 || say "$missing not installed"
fi

# The dashboard's end-to-end tests drive Debian's Chromium (playwright-core) and Firefox ESR
# (puppeteer-core over WebDriver BiDi); neither library downloads a browser.
for browser in chromium firefox-esr; do
  if ! command -v "$browser" >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing $browser for the dashboard's browser tests"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$browser" >&2 \
      || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$browser" >&2; }
  fi
done

# The Python client's suite (run by npm test) needs pytest and venv, from Debian: PyPI is not reachable.
if ! { python3 -c 'import pytest' && python3 -c 'import ensurepip'; } 2>/dev/null && command -v apt-get >/dev/null; then
  say "installing python3-pytest and python3-venv (the Python client's tests)"
  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-pytest python3-venv) >&2 || say "python3-pytest not installed"
fi

# The service tests check the unit files with systemd-analyze and pass sockets with
# systemd-socket-activate, as systemd would (Debian's systemd package; it need not be PID 1).
if ! command -v systemd-socket-activate >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "installing systemd (systemd-analyze, systemd-socket-activate) for the service tests"
  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends systemd) >&2 || say "systemd not installed"
fi

socket=$(bash scripts/engine-up.sh)
say "engine answers on $socket"

# shellcheck disable=SC2086 # POCKETDOCK_PROFILES is a space-separated list: one argument per profile
POCKETDOCK_SOCKET="$socket" node daemon/dist/images/setup-cli.js ${POCKETDOCK_PROFILES:-minimal-python}

# `npm test` passes --all-profiles: its suites use every profile's image, and none may wait on another's
# build. On the engine its daemons are pinned to (test/helpers/daemon.ts): Docker's where its socket is.
if [ "${1:-}" = --all-profiles ]; then
  tests=${POCKETDOCK_SOCKET:-}
  if [ -z "$tests" ]; then
    tests=$socket
    if [ -S /var/run/docker.sock ]; then tests=/var/run/docker.sock; fi
  fi
  POCKETDOCK_SOCKET="$tests" node daemon/dist/images/setup-cli.js all
fi
