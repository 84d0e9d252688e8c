#!/usr/bin/env bash
# Builds the desktop UI into ui/dist (the Tauri shell embeds it at compile time)
# and the sync administrators' console into ui/dist-admin (waystation-server
# embeds it and serves it at /admin/).
set -euo pipefail
cd "$(dirname "$0")/../ui"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
npm run build:admin
