#!/usr/bin/env bash
# One command for a newcomer: install, migrate, load the demo content, serve on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/forum seed-demo --if-empty
# Embed what is not embedded yet (the demo on first start; resumable, a no-op afterwards) so search and the
# duplicate queue work from the first page view.
.venv/bin/forum reindex
exec .venv/bin/forum serve --host "${FORUM_HOST:-127.0.0.1}" --port "${FORUM_PORT:-8000}"
