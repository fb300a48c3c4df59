#!/usr/bin/env bash
# Nexmark on Fluvial and on Flink SQL (PyFlink's execute_sql), both reading the same CSV files
# at parallelism 1:
#
#   bash bench/nexmark/run.sh --events 2000000 [--queries q0,q1,q2] [--results out.json]
#
# Uses bench/pyflink/.venv (apache-flink 2.2, created once by bench/pyflink/run.sh) and Java 17.
# Never part of CI: the test suite runs the Fluvial side alone at tiny sizes.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PYFLINK_VENV_ONLY=1 bash "$ROOT/bench/pyflink/run.sh"
if [ -z "${JAVA_HOME:-}" ] && command -v java >/dev/null; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  export JAVA_HOME
fi
# Results (JSON) and a chart of Fluvial and Flink per query go to bench/nexmark/results/.
mkdir -p "$HERE/results"
PYTHONPATH="$ROOT/python" "$ROOT/.venv/bin/python" "$HERE/run.py" --source files \
  --flink-python "$ROOT/bench/pyflink/.venv/bin/python" --results "$HERE/results/results.json" "$@"
"$ROOT/bench/pyflink/.venv/bin/python" "$HERE/_chart.py" "$HERE/results/results.json" "$HERE/results/ratios.png"
echo "wrote $HERE/results/results.json and ratios.png"
