"""The chaos harness: kills, starves and damages DataStream and SQL jobs and checks what they
committed against a plain-Python reference, read back by independent clients.

    python bench/chaos/run.py --kills 100 --records 5000000 --jobs all

--kills and --records are totals, shared by the chosen scenarios (_scenarios.py: kills evenly,
records by each one's share);
the services they need (a Kafka broker, Redis, PostgreSQL) are started from the repository's
scripts for the run and stopped at its end. The report (JSON and a markdown table: kills,
records, lost, duplicated, recovery p50/max per scenario) goes to --report-dir; the exit
code is 1 if anything was lost or duplicated or a check failed.
"""

import argparse
import math
import os
import shlex
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import _report  # noqa: E402
from _scenarios import AWAITING, SCENARIOS, run_scenario, selected  # noqa: E402
from _services import Services  # noqa: E402


def run(names, kills: int, records: int, seed: int, directory: str, kills_per_round: int, speed: float,
        log=print, on_result=lambda results: None):
    """Runs the scenarios 'names' (sharing the kills and records), returning their results;
    on_result(results so far) after each scenario."""
    services = Services([service for name in names for service in SCENARIOS[name].services])
    results = []
    try:
        for index, name in enumerate(names):
            share_kills = kills // len(names) + (index < kills % len(names))
            share = SCENARIOS[name].share / sum(SCENARIOS[n].share for n in names)
            results.append(run_scenario(SCENARIOS[name], services, os.path.join(directory, name), share_kills,
                                        math.ceil(records * share), seed + index, kills_per_round, speed, log=log))
            on_result(results)
    finally:
        services.close()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs in all (default 20)")
    parser.add_argument("--records", type=int, default=200_000, help="input records in all (default 200,000)")
    parser.add_argument("--jobs", default="all",
                        help=f"'all' or some of {', '.join(SCENARIOS)} (comma-separated); 'all' leaves out "
                             f"the scenarios waiting for other work: {', '.join(AWAITING) or 'none'}")
    parser.add_argument("--kills-per-round", type=int, default=5,
                        help="kills before a round's job is left to finish and checked (default 5)")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="scales the record rate each job is held to (default 1: a few thousand per second, "
                             "so short rounds are killed mid-way; 10 runs them flat out)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--work-dir", help="where the rounds' outputs and checkpoints go (default: a temporary "
                                           "directory, deleted at the end)")
    parser.add_argument("--report-dir", default=".", help="where chaos-report.json and chaos-report.md go")
    args = parser.parse_args(argv)
    try:
        names = selected(args.jobs)
    except ValueError as error:
        parser.error(str(error))
    started = time.monotonic()
    command = "python bench/chaos/run.py " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    os.makedirs(args.report_dir, exist_ok=True)

    def write_report(results):  # after each scenario, so a long run cut short still has its figures
        figures = _report.as_json(results, command, time.monotonic() - started)
        _report.write(figures, os.path.join(args.report_dir, "chaos-report.json"),
                      os.path.join(args.report_dir, "chaos-report.md"))
        return figures

    with tempfile.TemporaryDirectory(prefix="fluvial-chaos-") as temporary:
        directory = args.work_dir or temporary
        results = run(names, args.kills, args.records, args.seed, directory, args.kills_per_round, args.speed,
                      log=lambda line: print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True),
                      on_result=write_report)
    figures = write_report(results)
    print(_report.markdown(figures))
    for result in figures["scenarios"]:
        for violation in result["violations"]:
            print(f"{result['scenario']}: {violation}")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
