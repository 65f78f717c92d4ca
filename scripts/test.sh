#!/usr/bin/env bash
# Set up, start a real Chroma server on loopback (store contract tests run against it too),
# build the index, run the test suite, then the development eval suite against its CI gate.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
. scripts/env.sh

if [ ! -x /usr/bin/chromium ]; then  # browser tests drive Debian's Chromium headless
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "warning: chromium could not be installed; browser tests will be skipped"
fi

CHROMA_PORT_TEST=${CHROMA_PORT_TEST:-8765}
CHROMA_DIR=$(mktemp -d)
chroma run --path "$CHROMA_DIR" --host 127.0.0.1 --port "$CHROMA_PORT_TEST" >"$CHROMA_DIR.log" 2>&1 &
CHROMA_PID=$!
trap 'kill $CHROMA_PID 2>/dev/null || true; rm -rf "$CHROMA_DIR"' EXIT
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$CHROMA_PORT_TEST/api/v2/heartbeat" >/dev/null && break
  sleep 1
done
export CHROMA_TEST_HOST=127.0.0.1 CHROMA_TEST_PORT=$CHROMA_PORT_TEST

policy-assistant ingest
mkdir -p test-output
python -m pytest -q -rs "$@"
policy-assistant eval evals/suites/dev.yaml --thresholds evals/thresholds.toml \
  --json test-output/eval-dev.json --report test-output/eval-dev.html
