"""Fluvial beside PyFlink on the JSON scalar UDF of the user's document.

    bash bench/pyflink/run.sh             # sets up bench/pyflink/.venv, full run
    python bench/pyflink/compare.py --quick --engines loop,fluvial   # Fluvial side alone

Workload (bench/pyflink/_workload.py): json.loads, lower-case one field,
json.dumps over generated records of 100 B, 1 KB and 10 KB, parallelism 1,
from a generated source (number sequence -> map that builds the record and
stamps its creation time) to a discarding sink (a meter that keeps arrival
times and latencies and emits nothing). Engines:

- loop: a bare Python loop making the same calls (the limit)
- fluvial: Fluvial DataStream map
- pyflink-thread / pyflink-process: PyFlink DataStream map with
  python.execution-mode thread / process

Every job runs in a fresh process (so start-up and memory are its own, the
whole process tree counted), the engines alternate within each round, and the
medians of the rounds are compared. Every run's output checksum must equal
the bare loop's before anything is reported. Throughput is records over the
time from the first record's creation to the last record's arrival at the sink
(start-up excluded; it is measured on its own: execute() to the first record
out, on a 1,000-record job, with the peak RSS of the process tree).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ENGINES = ["loop", "fluvial", "fluvial-table", "pyflink-thread", "pyflink-process"]
LABELS = {"loop": "bare Python loop", "fluvial": "Fluvial DataStream", "fluvial-table": "Fluvial Table udf",
          "pyflink-thread": "PyFlink thread mode", "pyflink-process": "PyFlink process mode"}
SIZES = {100: 200_000, 1000: 100_000, 10_000: 20_000}   # record bytes -> records per job
STARTUP_RECORDS = 1000
LOOP_SNIPPET = ("import json, sys, time; sys.path.insert(0, sys.argv[1]); import _workload; "
                "start = time.time_ns(); _workload.bare_loop(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]); "
                "r = json.load(open(sys.argv[4])); r['execute_ns'] = start; print(json.dumps(r))")


def tree_rss_bytes(root: int) -> int:
    """Resident memory of a process and all its descendants (a JVM and its Python workers)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            pass
    return total


def command(engine: str, args, records: int, size: int, out: str) -> tuple:
    if engine == "loop":
        return [args.fluvial_python, "-c", LOOP_SNIPPET, str(HERE), str(records), str(size), out], {}
    if engine in ("fluvial", "fluvial-table"):
        api = "table" if engine == "fluvial-table" else "datastream"
        return ([args.fluvial_python, str(HERE / "_fluvial_job.py"), "--records", str(records),
                 "--size", str(size), "--out", out, "--api", api], {"PYTHONPATH": str(ROOT / "python")})
    mode = engine.split("-")[1]
    # The embedded interpreter of thread mode finds pemja and pyflink through PYTHONPATH.
    site = subprocess.run([args.pyflink_python, "-c", "import pyflink, os; "
                           "print(os.path.dirname(os.path.dirname(pyflink.__file__)))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    return ([args.pyflink_python, str(HERE / "_pyflink_job.py"), "--records", str(records),
             "--size", str(size), "--out", out, "--mode", mode], {"PYTHONPATH": site})


def run_job(engine: str, args, records: int, size: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "meter.json")
        argv, extra_env = command(engine, args, records, size, out)
        env = dict(os.environ, **extra_env)
        started = time.perf_counter()
        with open(Path(tmp) / "stdout", "w+") as stdout, open(Path(tmp) / "stderr", "w+") as stderr:
            process = subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=env, cwd=tmp)
            peak = 0
            while process.poll() is None:
                peak = max(peak, tree_rss_bytes(process.pid))
                time.sleep(0.02)
            wall = time.perf_counter() - started
            stdout.seek(0)
            stderr.seek(0)
            lines = stdout.read().strip().splitlines()
            if process.returncode != 0 or not lines:
                raise SystemExit(f"{engine} failed ({process.returncode}):\n{stderr.read()[-4000:]}")
    result = json.loads(lines[-1])
    # From the first record's creation to the last one's arrival: start-up left out,
    # and engines that pass records on in batches or bundles are not flattered.
    span = (result["last_ns"] - result["first_stamp_ns"]) / 1e9
    result.update(engine=engine, size=size, records=records, wall_s=wall, peak_rss_mb=peak / 2**20,
                  throughput=(result["count"] - 1) / span if span > 0 else float("nan"),
                  first_record_s=(result["first_ns"] - result["execute_ns"]) / 1e9)
    return result


def median(runs: list, key: str) -> float:
    return statistics.median(run[key] for run in runs)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    memory = int(open("/proc/meminfo").readline().split()[1]) // 2**20
    return f"{os.cpu_count()}-core {cpu}, {memory} GiB, CPython {platform.python_version()}, {platform.system()}"


def versions(args, engines) -> str:
    parts = []
    if any(e.startswith("pyflink") for e in engines):
        flink = subprocess.run([args.pyflink_python, "-c", "import importlib.metadata as m; "
                                "print(m.version('apache-flink'))"],
                               capture_output=True, text=True).stdout.strip()
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
        parts.append(f"apache-flink {flink}, {java[0] if java else 'java ?'}")
    return "; ".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1/20 of the records, one round")
    parser.add_argument("--fluvial-python", default=sys.executable)
    parser.add_argument("--pyflink-python", default=str(HERE / ".venv" / "bin" / "python"))
    parser.add_argument("--results", default=str(HERE / "results"),
                        help="directory for results.md/.json and ratios.png ('' writes nothing)")
    args = parser.parse_args()
    engines = [e for e in ENGINES if e in args.engines.split(",")]
    if "loop" not in engines:
        engines.insert(0, "loop")  # the reference every run is checked against
    rounds = 1 if args.quick else args.rounds
    sizes = {size: max(1000, n // 20) if args.quick else n for size, n in SIZES.items()}

    runs = {}
    for size, records in sizes.items():
        for round_index in range(rounds):
            order = engines[round_index % len(engines):] + engines[:round_index % len(engines)]
            reference = None
            for engine in sorted(order, key=lambda e: e != "loop"):  # loop first: the reference
                result = run_job(engine, args, records, size)
                if engine == "loop":
                    reference = result
                assert (result["count"], result["checksum"]) == (reference["count"], reference["checksum"]), \
                    f"{engine} disagrees with the bare loop at {size} B: {result} vs {reference}"
                runs.setdefault((engine, size), []).append(result)
                print(f"  {size:>6} B round {round_index + 1}: {engine:16} {result['throughput']:>10,.0f} rec/s "
                      f"p99 {result['p99_us']:>10,.0f} us  rss {result['peak_rss_mb']:6.0f} MB", flush=True)
    startup = {}
    for round_index in range(rounds):
        for engine in engines:
            result = run_job(engine, args, STARTUP_RECORDS, 100)
            startup.setdefault(engine, []).append(result)
            print(f"  start-up round {round_index + 1}: {engine:16} first record {result['first_record_s']:.3f} s "
                  f"rss {result['peak_rss_mb']:.0f} MB", flush=True)

    report = render(args, engines, sizes, rounds, runs, startup)
    print(report)
    if args.results:
        out = Path(args.results)
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.md").write_text(report)
        (out / "results.json").write_text(json.dumps(
            {"runs": [r for rs in runs.values() for r in rs],
             "startup": [r for rs in startup.values() for r in rs]}, indent=1))
        chart(out / "ratios.png", engines, sizes, runs)


def render(args, engines, sizes, rounds, runs, startup) -> str:
    lines = [f"Machine: {machine()}", f"{versions(args, engines)}".strip(), "",
             f"Parallelism 1, median of {rounds} alternating round(s), each job a fresh process.", "",
             "| record | engine | records | records/s | ratio Fluvial / engine | p50 latency | p99 latency |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for size, records in sizes.items():
        fluvial = median(runs[("fluvial", size)], "throughput") if ("fluvial", size) in runs else None
        for engine in engines:
            rs = runs[(engine, size)]
            rate = median(rs, "throughput")
            ratio = f"{fluvial / rate:.2f}" if fluvial else "-"
            lines.append(f"| {size:,} B | {LABELS[engine]} | {records:,} | {rate:,.0f} | {ratio} | "
                         f"{fmt_us(median(rs, 'p50_us'))} | {fmt_us(median(rs, 'p99_us'))} |")
    lines += ["", f"Start-up and memory, a {STARTUP_RECORDS:,}-record job of 100 B records:", "",
              "| engine | execute() to first record out | peak RSS (process tree) |", "|---|---:|---:|"]
    for engine in engines:
        rs = startup[engine]
        lines.append(f"| {LABELS[engine]} | {median(rs, 'first_record_s'):.3f} s | "
                     f"{median(rs, 'peak_rss_mb'):.0f} MB |")
    lines += ["", "Peak RSS of the throughput jobs (median, process tree):", "",
              "| record | " + " | ".join(LABELS[e] for e in engines) + " |",
              "|---|" + "---:|" * len(engines)]
    for size in sizes:
        lines.append(f"| {size:,} B | " + " | ".join(f"{median(runs[(e, size)], 'peak_rss_mb'):.0f} MB"
                                                   for e in engines) + " |")
    return "\n".join(lines) + "\n"


def fmt_us(us: float) -> str:
    return f"{us:,.0f} µs" if us < 10_000 else f"{us / 1000:,.0f} ms"


def chart(path: Path, engines, sizes, runs) -> None:
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed here: no chart (run.sh installs it into bench/pyflink/.venv)")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    others = [e for e in engines if e != "fluvial"]
    if "fluvial" not in engines or not others:
        return
    figure, axes = plt.subplots(figsize=(8, 4.5))
    width = 0.8 / len(others)
    for i, engine in enumerate(others):
        ratios = [median(runs[("fluvial", s)], "throughput") / median(runs[(engine, s)], "throughput")
                  for s in sizes]
        bars = axes.bar([x + i * width for x in range(len(sizes))], ratios, width, label=f"vs {LABELS[engine]}")
        axes.bar_label(bars, fmt="%.2f", fontsize=8)
    axes.axhline(1.0, color="grey", linewidth=0.8)
    axes.axhline(2.0, color="red", linewidth=0.8, linestyle="--", label="target vs thread mode (2x)")
    axes.set_xticks([x + width * (len(others) - 1) / 2 for x in range(len(sizes))],
                    [f"{s:,} B records" for s in sizes])
    axes.set_ylabel("Fluvial throughput / other engine's")
    axes.set_title("JSON UDF, parallelism 1: Fluvial's throughput ratio (higher is better)")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
