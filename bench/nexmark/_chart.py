"""The chart of a Nexmark comparison: Fluvial's and Flink's events/s per query (log scale) and
their ratio. Run by run.sh with bench/pyflink/.venv's Python (it has matplotlib):

    python bench/nexmark/_chart.py results.json ratios.png
"""

import json
import sys


def main(results_path: str, chart_path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(results_path) as handle:
        results = json.load(handle)
    queries = [q for q, e in results["queries"].items() if "fluvial" in e and "flink" in e]
    queries.sort(key=lambda q: int(q[1:]))
    fluvial = [results["queries"][q]["fluvial"] for q in queries]
    flink = [results["queries"][q]["flink"] for q in queries]
    figure, axis = plt.subplots(figsize=(11, 4.5))
    positions = range(len(queries))
    axis.bar([p - 0.2 for p in positions], fluvial, width=0.4, label="Fluvial")
    axis.bar([p + 0.2 for p in positions], flink, width=0.4, label="Flink SQL (PyFlink execute_sql)")
    axis.set_yscale("log")
    axis.set_xticks(list(positions), queries)
    axis.set_ylabel("events/s per core (log)")
    axis.set_title(f"Nexmark, {results['events']:,} events, parallelism 1, same CSV files")
    for p, (a, b) in enumerate(zip(fluvial, flink)):
        axis.text(p, max(a, b) * 1.15, f"{a / b:.1f}x", ha="center", fontsize=8)
    axis.legend()
    figure.tight_layout()
    figure.savefig(chart_path, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
