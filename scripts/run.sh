#!/usr/bin/env bash
# Set up, build the index from the source manifest (first start only) and serve API + chat UI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
. scripts/env.sh
exec policy-assistant serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
