#!/usr/bin/env bash
# Installs Debian's `prometheus` package (it provides `prometheus` and `promtool`) when
# either binary is missing, without starting the system service: a service would squat the
# default port 9090 and keep running after the tests. Idempotent: a second run does nothing.
# Used by .ci/run before `cargo test` (tests/prometheus.rs starts its own servers).
set -euo pipefail

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    echo "install-prometheus: $(prometheus --version 2>&1 | head -n 1)"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-prometheus: apt-get not found; install Prometheus (prometheus and promtool on PATH) by hand" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

# policy-rc.d exiting 101 tells invoke-rc.d (called by the package's maintainer scripts
# where there is no systemd) not to start services; under systemd the unit is stopped
# and disabled after the install. An existing policy-rc.d is kept and restored.
POLICY=/usr/sbin/policy-rc.d
BACKUP=""
if [ -e "$POLICY" ]; then
    BACKUP="$(mktemp)"
    $SUDO cp -p "$POLICY" "$BACKUP"
fi
restore_policy() {
    if [ -n "$BACKUP" ]; then
        $SUDO cp -p "$BACKUP" "$POLICY"
        rm -f "$BACKUP"
    else
        $SUDO rm -f "$POLICY"
    fi
}
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
$SUDO chmod 755 "$POLICY"

export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show prometheus >/dev/null 2>&1; then
    $SUDO apt-get update -qq
fi
$SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
    || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now prometheus.service >/dev/null 2>&1 || true
fi

command -v prometheus >/dev/null && command -v promtool >/dev/null
echo "install-prometheus: installed $(prometheus --version 2>&1 | head -n 1)"
