#!/usr/bin/env bash
# Create .venv and install the project with its test tools; fast no-op when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "== Membuat virtualenv .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.forum-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "== Memasang dependensi (sekali saja)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  # torch first and pinned: this version is the CPU build kept on this machine kind; an unpinned
  # torch (pulled by sentence-transformers) would download a multi-GB CUDA build.
  .venv/bin/python -m pip install --quiet "torch==2.13.0"
  .venv/bin/python -m pip install --quiet -e ".[test]"
  echo "$want" > "$stamp"
fi
