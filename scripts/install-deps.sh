#!/usr/bin/env bash
# Install the Debian 12 packages that building, testing and demonstrating olpe
# need. Packages already installed are skipped, so a second run does nothing,
# and apt-get update runs only when something is missing.
#
# The Debian packages start their services on install (a PostgreSQL cluster on
# port 5432, redis-server on 6379). olpe starts its own servers on ports it
# picks, so this script blocks those service starts with a temporary
# /usr/sbin/policy-rc.d and removes it again afterwards.
set -euo pipefail

PACKAGES=(
    build-essential                      # gcc and make for the C extension
    postgresql-15                        # server and client binaries
    postgresql-server-dev-15             # headers and PGXS
    postgresql-15-pgtap                  # pgTAP extension for the SQL unit tests
    libtap-parser-sourcehandler-pgtap-perl  # pg_prove
    python3                              # test and data scripts
    pgbouncer                            # transaction pooling in front of the clusters
    redis-server                         # decision cache for the app tier
)

POLICY_RC=/usr/sbin/policy-rc.d

is_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

missing=()
for package in "${PACKAGES[@]}"; do
    is_installed "$package" || missing+=("$package")
done

# Node.js and npm run json-logic-js, the oracle of the JsonLogic conformance
# test. A machine may have them from another source (a nodejs package that
# bundles npm), so the commands are checked, not Debian's package names.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#PACKAGES[@]} packages present"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run this script as root (or install sudo) to install them" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"

# Keep the package scripts from starting services. invoke-rc.d runs
# policy-rc.d before each service action, and exit status 101 means "action
# forbidden". A policy-rc.d that is already there is moved aside and put back
# afterwards.
POLICY_BACKUP=$POLICY_RC.olpe-saved
restore_policy() {
    if [ -e "$POLICY_BACKUP" ]; then
        "${SUDO[@]}" mv -f "$POLICY_BACKUP" "$POLICY_RC"
    else
        "${SUDO[@]}" rm -f "$POLICY_RC"
    fi
}
trap restore_policy EXIT
# A backup left by an interrupted run is the original: keep it.
if [ -e "$POLICY_RC" ] && [ ! -e "$POLICY_BACKUP" ]; then
    "${SUDO[@]}" mv "$POLICY_RC" "$POLICY_BACKUP"
fi
printf '#!/bin/sh\n# Written by olpe scripts/install-deps.sh while it installs packages.\nexit 101\n' \
    | "${SUDO[@]}" tee "$POLICY_RC" >/dev/null
"${SUDO[@]}" chmod 755 "$POLICY_RC"

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

still_missing=()
for package in "${missing[@]}"; do
    case $package in
        nodejs) command -v node >/dev/null 2>&1 || still_missing+=("$package") ;;
        npm) command -v npm >/dev/null 2>&1 || still_missing+=("$package") ;;
        *) is_installed "$package" || still_missing+=("$package") ;;
    esac
done
if [ ${#still_missing[@]} -gt 0 ]; then
    echo "install-deps: still missing after apt-get install: ${still_missing[*]}" >&2
    exit 1
fi
echo "install-deps: installed ${missing[*]}"
