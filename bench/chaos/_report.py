"""The chaos run's report: JSON (every figure of every scenario) and a markdown table."""

import json
from typing import List

from _driver import ScenarioResult


def as_json(results: List[ScenarioResult], command: str, seconds: float) -> dict:
    scenarios = [result.as_json() for result in results]
    return {"command": command, "seconds": round(seconds, 1),
            "kills": sum(s["kills"] for s in scenarios), "records": sum(s["records"] for s in scenarios),
            "lost": sum(s["lost"] for s in scenarios), "duplicated": sum(s["duplicated"] for s in scenarios),
            "ok": all(s["ok"] for s in scenarios), "scenarios": scenarios}


def _seconds(value) -> str:
    return "–" if value is None else f"{value:.2f} s"


def markdown(report: dict) -> str:
    lines = ["| scenario | rounds | records | kills | outages | lost | duplicated | recovery p50 | recovery max "
             "| time | result |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in report["scenarios"]:
        kills = ", ".join(f"{n} {name}" for name, n in sorted(s["kills_by_fault"].items()))
        outages = ", ".join(f"{n} {name}" for name, n in sorted(s["outages"].items())) or "–"
        result = "ok" if s["ok"] else f"FAILED ({len(s['violations'])} violations)"
        lines.append(f"| {s['scenario']} | {s['rounds']} | {s['records']:,} | {s['kills']} ({kills}) | {outages} "
                     f"| {s['lost']} | {s['duplicated']} | {_seconds(s['recovery_p50_s'])} "
                     f"| {_seconds(s['recovery_max_s'])} | {s['seconds']:.0f} s | {result} |")
    lines.append(f"| **all** | | {report['records']:,} | {report['kills']} | | {report['lost']} "
                 f"| {report['duplicated']} | | | {report['seconds']:.0f} s | {'ok' if report['ok'] else 'FAILED'} |")
    return "\n".join(lines) + "\n"


def write(report: dict, json_path: str, markdown_path: str) -> None:
    with open(json_path, "w") as file:
        json.dump(report, file, indent=2)
    with open(markdown_path, "w") as file:
        file.write(markdown(report))
