#!/bin/sh
# What every profile shares, run once as the first RUN of its Dockerfile:
#   sh /tmp/pocketdock/common/setup.sh PACKAGE...
# installs bash, tini (PID 1: reaps zombies, forwards signals), procps and CA certificates plus the
# profile's Debian packages in one layer without recommends or apt lists, lets pip install into
# ~/.local where pip is installed, and creates the user sandbox (uid 1000, /home/sandbox).
set -eu

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  bash tini procps ca-certificates "$@"
apt-get clean
rm -rf /var/lib/apt/lists/*

# Debian marks its Python as externally managed (PEP 668); without this a plain `pip install`
# fails instead of installing into the sandbox user's ~/.local (on PATH in every profile).
if command -v pip3 >/dev/null; then
  printf '[global]\nbreak-system-packages = true\n' >/etc/pip.conf
fi

useradd --uid 1000 --create-home --home-dir /home/sandbox --shell /bin/bash sandbox
