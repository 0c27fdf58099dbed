#!/usr/bin/env bash
# Installs the Debian packages the stack needs, only those missing: coturn (TURN, for
# `make run`) and headless Chromium (the browser call test, for `make test`).
#   scripts/install-system-deps.sh [coturn] [chromium]   (default: both)
set -euo pipefail
wanted=("$@")
[ "${#wanted[@]}" -gt 0 ] || wanted=(coturn chromium)
declare -A command_of=([coturn]=turnserver [chromium]=chromium)
missing=()
for package in "${wanted[@]}"; do
  command -v "${command_of[$package]}" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}"
fi
