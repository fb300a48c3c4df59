#!/usr/bin/env bash
# Side-by-side benchmark: Fluvial against PyFlink (process and thread mode) and
# a bare Python loop, on the JSON scalar UDF of the user's document.
#
#   bash bench/pyflink/run.sh            # full run (~15 min on 2 cores)
#   bash bench/pyflink/run.sh --quick    # tiny sizes, a couple of minutes
#
# Creates bench/pyflink/.venv (apache-flink + matplotlib, pinned in
# requirements.txt) once; repeating the command reuses it. Needs Java 17 and the
# project's native build (`make build`). Writes bench/pyflink/results/.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.venv"
BASE_PYTHON="${BASE_PYTHON:-python3.11}"

if [ ! -x "$ROOT/.venv/bin/python" ] || ! ls "$ROOT"/python/fluvial/_core*.so >/dev/null 2>&1; then
  echo "building Fluvial first (make build)" >&2
  make -C "$ROOT" build
fi

STAMP="$VENV/.installed-$(sha256sum "$HERE/requirements.txt" | cut -c1-16)"
if [ ! -f "$STAMP" ]; then
  echo "creating $VENV (apache-flink is a few hundred MB; once only)" >&2
  [ -x "$VENV/bin/python" ] || "$BASE_PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r "$HERE/requirements.txt"
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi

if [ -z "${JAVA_HOME:-}" ] && command -v java >/dev/null; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  export JAVA_HOME
fi

# bench/nexmark/run.sh uses this script only to create the venv.
[ -z "${PYFLINK_VENV_ONLY:-}" ] || exit 0

exec "$VENV/bin/python" "$HERE/compare.py" \
  --fluvial-python "$ROOT/.venv/bin/python" --pyflink-python "$VENV/bin/python" "$@"
