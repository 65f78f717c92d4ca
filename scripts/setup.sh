#!/usr/bin/env bash
# Create .venv and install the project with everything it needs, offline-safe on this machine kind:
# torch is pinned to the CPU wheel that lies on local disk (a looser pin pulls a multi-GB CUDA build).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
FIND_LINKS=()
[ -d /opt/wheels ] && FIND_LINKS=(--find-links /opt/wheels)
python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
python -m pip install -q "${FIND_LINKS[@]}" "torch==2.13.0"
python -m pip install -q "${FIND_LINKS[@]}" -e ".[test]"
# The source viewer's pdf.js (npm pdfjs-dist, pinned in ui/viewer/package-lock.json), served under /viewer/pdfjs/
if command -v npm >/dev/null; then
  if [ ! -f ui/viewer/node_modules/pdfjs-dist/build/pdf.min.mjs ]; then
    npm ci --prefix ui/viewer --omit=optional --no-audit --no-fund --loglevel=error
  fi
else
  echo "warning: npm is missing (apt-get install -y npm): the viewer cannot show PDFs until pdfjs-dist is installed"
fi
echo "setup: ok ($(python --version), $(python -c 'import torch; print("torch", torch.__version__)'))"
