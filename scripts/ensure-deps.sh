#!/usr/bin/env sh
# Installs what Cinnabar needs on a fresh machine, once:
#  - npm packages (npm ci) when node_modules is missing or older than the lock file;
#  - with --test: Debian's redis-server and redis-tools, the reference the
#    differential and interop tests compare against.
set -e
cd "$(dirname "$0")/.."
if [ ! -d node_modules/typescript ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ensure-deps: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ "$1" = "--test" ]; then
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    echo "ensure-deps: installing Debian's redis-server and redis-tools"
    SUDO=""
    if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq redis-server redis-tools >/dev/null
    # The package may start a system redis on 6379; tests use their own free ports.
  fi
  if ! command -v openssl >/dev/null 2>&1; then
    echo "ensure-deps: installing openssl (the TLS tests make their certificates with it)"
    SUDO=""
    if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq openssl >/dev/null
  fi
fi
