#!/usr/bin/env bash
# Installs the Debian 12 packages Waystation's build and tests need, once.
# Sourced or run by scripts/run and scripts/test; safe to run again.
set -euo pipefail

need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# Build: SQLCipher is bundled by rusqlite and links the system libssl.
for p in build-essential pkg-config libssl-dev; do have "$p" || need+=("$p"); done
# Tests: PostgreSQL for the service's second backend.
if [ "${WAYSTATION_WITH_POSTGRES:-1}" = 1 ]; then
  have postgresql || need+=(postgresql)
  # The test server's TLS certificate (crates/server/tests/start-postgres.sh).
  have openssl || need+=(openssl)
fi
# Desktop app and its end-to-end tests (WebKitGTK, Xvfb, WebDriver), when src-tauri is present.
if [ -d "$(dirname "$0")/../src-tauri" ] && [ "${WAYSTATION_WITH_DESKTOP:-1}" = 1 ]; then
  for p in libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev \
    libayatana-appindicator3-dev libxdo-dev file xvfb xauth x11-utils webkit2gtk-driver dbus-x11; do
    have "$p" || need+=("$p")
  done
fi
# Tests: the sync administrators' console in a real browser (Debian's Chromium, headless).
if [ "${WAYSTATION_WITH_CONSOLE:-1}" = 1 ]; then
  for p in chromium fonts-dejavu-core; do have "$p" || need+=("$p"); done
fi
# Tests: the OpenAPI contract test installs Schemathesis into a virtual environment.
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
# Tests: the second run with the clock moved ahead (libfaketime).
if [ "${WAYSTATION_WITH_SHIFTED_CLOCK:-1}" = 1 ]; then
  have faketime || need+=(faketime)
fi
for extra in ${WAYSTATION_EXTRA_PACKAGES:-}; do have "$extra" || need+=("$extra"); done

if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Waystation needs these Debian packages: ${need[*]}" >&2
    echo "Install them as root: apt-get install -y --no-install-recommends ${need[*]}" >&2
    exit 1
  fi
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
