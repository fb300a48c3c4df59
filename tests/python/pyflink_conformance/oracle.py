"""Differential testing against real PyFlink: run a program under a given Python,
capture what it prints and the files it writes, and compare two such outputs the
way Flink defines them.

Flink fixes some things and leaves others open. A `print()` sink at parallelism > 1
prefixes each line with its subtask (`2> `) and interleaves subtasks in any order;
which subtask a record lands on is an implementation detail too. So the comparison
is, per program (see examples.toml):

- `auto` (the default): `multiset` when PyFlink's recorded lines carry subtask prefixes
  (a sink at parallelism > 1), `ordered` when they do not (parallelism 1);
- `ordered`: the lines, exactly, in order (parallelism 1 everywhere);
- `multiset`: the lines without their `N> ` subtask prefix, as a multiset;
- `pattern`: for programs whose data are random (datagen): the lines that are the
  same in every recording must appear in order, and every other line must match the
  program's `line_pattern` on both sides (values and formatting still checked by the
  pattern, never dropped).

Nothing else is normalized: a different value, digit or space is a difference. The one
exception is RUNTIME_LOG below: the examples send INFO logging to stdout, so real PyFlink's
output holds log records that Apache Beam (PyFlink's Python worker runtime) writes when it
is imported; they are no output of the program and are left out on both sides.

Two corpora share this machinery: `examples` (corpus 1, the programs Flink ships, per
PyFlink version: corpus/examples/<version>/..., settings in examples.toml) and
`doc_samples` (corpus 3, code samples of the PyFlink documentation completed into
programs, recorded on PyFlink 2.2: corpus/doc_samples/<topic>/<name>.py, settings in
doc_samples.toml, keys 'doc_samples/<topic>/<name>.py').

The recorded form (`expected/**.out`) is the program's stdout, then each file it
wrote under its working directory as `==> file: <relative path> <==` and its text.
"""

from __future__ import annotations

import collections
import difflib
import fnmatch
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CORPUS = HERE / "corpus" / "examples"
EXPECTED = HERE / "expected" / "examples"
MANIFEST = HERE / "examples.toml"
VERSIONS = ("2.2", "1.20")
DOC_SAMPLES = "doc_samples"
MANIFESTS = {"examples": MANIFEST, DOC_SAMPLES: HERE / "doc_samples.toml"}

SUBTASK_PREFIX = re.compile(r"^\d+> ")
RUNTIME_LOG = frozenset({
    "Using Any for unsupported type: typing.Sequence[~T]",
    "No module named google.cloud.bigquery_storage_v1. As a result, the ReadFromBigQuery transform *CANNOT* "
    "be used with `method=DIRECT_READ`.",
})
FILE_HEADER = "==> file: {} <=="
FILE_HEADER_PATTERN = re.compile(r"^==> file: (.+) <==$")


@dataclass(frozen=True)
class Program:
    """One corpus program and its settings from examples.toml (or doc_samples.toml)."""

    version: str
    path: str  # relative to pyflink/examples (or corpus/doc_samples), e.g. "datastream/word_count.py"
    mode: str = "auto"
    args: tuple = ()
    timeout: float = 300.0
    record_timeout: float = 600.0
    expect_error: str | None = None  # real PyFlink fails with this text in stderr: so must Fluvial
    expect_lines: int | None = None  # unbounded: output lines (runtime log aside) that make it complete
    unbounded: bool = False
    line_pattern: str | None = None
    kafka_topics: tuple = ()
    inputs: dict = field(default_factory=dict)
    xfail: str | None = None
    record: str | None = None  # None: recorded; otherwise why it is not (and what is checked instead)
    unsupported: str | None = None  # the UnsupportedFeatureError text Fluvial must raise
    corpus: str = "examples"  # or DOC_SAMPLES

    @property
    def _tree(self) -> str:
        # examples: per PyFlink version; doc_samples: one tree, recorded on 2.2.
        return self.version if self.corpus == "examples" else self.corpus

    @property
    def key(self) -> str:
        return f"{self._tree}/{self.path}"

    @property
    def source(self) -> Path:
        return _corpus_root(self.corpus, self.version) / self.path

    @property
    def expected(self) -> Path:
        return _expected_root(self.corpus, self.version) / (self.path + ".out")


def _corpus_root(corpus: str, version: str) -> Path:
    return CORPUS / version if corpus == "examples" else HERE / "corpus" / corpus


def _expected_root(corpus: str, version: str) -> Path:
    return EXPECTED / version if corpus == "examples" else HERE / "expected" / corpus


def load_manifest(corpus: str = "examples") -> dict[str, Program]:
    """Every program of a corpus, keyed 'version/path' (doc_samples: 'doc_samples/path'),
    with its manifest settings."""
    manifest = MANIFESTS[corpus]
    settings = tomllib.loads(manifest.read_text())
    programs = {}
    versions = VERSIONS if corpus == "examples" else ("2.2",)
    for version in versions:
        root = _corpus_root(corpus, version)
        for source in sorted(root.rglob("*.py")):
            path = source.relative_to(root).as_posix()
            key = Program(version=version, path=path, corpus=corpus).key
            entry = dict(settings.get(key, {}))
            unknown = set(entry) - set(Program.__dataclass_fields__) | ({"corpus", "version", "path"} & set(entry))
            if unknown:
                raise ValueError(f"{manifest.name} [{key}]: unknown settings {sorted(unknown)}")
            for name in ("args", "kafka_topics"):
                if name in entry:
                    entry[name] = tuple(entry[name])
            if entry.get("mode", "auto") not in ("auto", "ordered", "multiset", "pattern"):
                raise ValueError(f"{manifest.name} [{key}]: mode must be auto, ordered, multiset or pattern")
            programs[key] = Program(version=version, path=path, corpus=corpus, **entry)
    stale = set(settings) - set(programs)
    if stale:
        raise ValueError(f"{manifest.name} names programs not in the corpus: {sorted(stale)}")
    return programs


def select(programs: dict[str, Program], only: str | None) -> list[Program]:
    return [p for key, p in programs.items() if only is None or fnmatch.fnmatch(key, only)]


@dataclass
class RunResult:
    stdout: str
    stderr: str
    returncode: int | None  # None: stopped at the timeout (an unbounded program)
    files: dict[str, str]
    seconds: float

    def rendered(self) -> str:
        """The recorded form: stdout, then every written file."""
        parts = [self.stdout]
        for name in sorted(self.files):
            text = self.files[name]
            if parts[-1] and not parts[-1].endswith("\n"):
                parts.append("\n")
            parts.append(FILE_HEADER.format(name) + "\n" + text)
        return "".join(parts)


def run_program(command: list[str], program: Program, env: dict | None = None,
                timeout: float | None = None, done=None) -> RunResult:
    """Run `command + [program source] + args` in a fresh working directory holding the
    program's input files. An unbounded program is stopped at its timeout (its normal end),
    or as soon as `done(stdout so far)` says its output is complete; a bounded one that
    overruns is an error."""
    timeout = program.timeout if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="pyflink-oracle-") as work:
        work_dir = Path(work)
        for name, text in program.inputs.items():
            (work_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (work_dir / name).write_text(text)
        before = {p for p in work_dir.rglob("*")}
        full_env = dict(os.environ if env is None else env)
        full_env["PYTHONUNBUFFERED"] = "1"  # what was printed before a stop is kept
        args = [arg.replace("{work}", str(work_dir)) for arg in program.args]
        started = time.monotonic()
        process = subprocess.Popen([*command, str(program.source), *args], cwd=work_dir, env=full_env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)
        out, err = [], []
        readers = [threading.Thread(target=_drain, args=(stream, sink), daemon=True)
                   for stream, sink in ((process.stdout, out), (process.stderr, err))]
        for reader in readers:
            reader.start()
        returncode = None
        while True:
            if process.poll() is not None:
                returncode = process.returncode
                break
            if time.monotonic() - started > timeout:
                _stop(process)
                if not program.unbounded:
                    err.append(f"\n[oracle] stopped after {timeout:g} s: a bounded program must finish\n")
                    returncode = -1
                break
            if done is not None and program.unbounded and done("".join(out)):
                _stop(process)
                break
            time.sleep(0.25)
        for reader in readers:
            reader.join(timeout=30)
        seconds = time.monotonic() - started
        files = {}
        for path in sorted(work_dir.rglob("*")):
            if path.is_file() and path not in before and not _is_noise(path.relative_to(work_dir)):
                files[path.relative_to(work_dir).as_posix()] = path.read_text(errors="replace")
        return RunResult("".join(out), "".join(err), returncode, files, seconds)


def _drain(stream, sink: list) -> None:
    for chunk in iter(lambda: stream.readline(), ""):
        sink.append(chunk)


def _is_noise(relative: Path) -> bool:
    # Hidden files (FileSink's in-progress ".part" files, crc files) are not output.
    return any(part.startswith(".") or part == "__pycache__" for part in relative.parts)


def _stop(process: subprocess.Popen) -> None:
    """Stop the process group we started: SIGTERM, then SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def strip_subtask(line: str) -> str:
    return SUBTASK_PREFIX.sub("", line, count=1)


def output_lines(rendered: str) -> list[str]:
    return [line for line in rendered.splitlines() if line not in RUNTIME_LOG]


def resolved_mode(program: Program, recorded: list[str] | None = None) -> str:
    """The program's mode, with `auto` decided from PyFlink's recorded output."""
    if program.mode != "auto":
        return program.mode
    if recorded is None:
        if not program.expected.exists():
            return "auto"
        recorded = output_lines(program.expected.read_text())
    return "multiset" if any(SUBTASK_PREFIX.match(line) for line in recorded) else "ordered"


def compare(program: Program, expected: str, actual: str) -> str | None:
    """None when 'actual' is what 'expected' allows under the program's mode, else a
    readable description of the first differences."""
    want, got = output_lines(expected), output_lines(actual)
    mode = resolved_mode(program, want)
    if mode == "ordered":
        if want == got:
            return None
        return _first_difference(want, got) + "\n" + _diff(want, got)
    if mode == "multiset":
        want_set = collections.Counter(strip_subtask(line) for line in want)
        got_set = collections.Counter(strip_subtask(line) for line in got)
        if want_set == got_set:
            return None
        missing = list((want_set - got_set).elements())
        extra = list((got_set - want_set).elements())
        summary = f"{len(missing)} lines missing, {len(extra)} unexpected"
        if missing and extra:
            summary += f", e.g. PyFlink {missing[0]!r}, Fluvial {extra[0]!r}"
        elif missing or extra:
            summary += f", e.g. {(missing or extra)[0]!r}"
        return summary + "\n" + _listing("missing (in PyFlink's output only)", missing) + _listing(
            "unexpected (in Fluvial's output only)", extra)
    return _compare_pattern(program, want, got)


def _compare_pattern(program: Program, want: list[str], got: list[str]) -> str | None:
    pattern = re.compile(program.line_pattern)
    fixed_want = [line for line in want if not pattern.fullmatch(strip_subtask(line))]
    fixed_got = [line for line in got if not pattern.fullmatch(strip_subtask(line))]
    problems = []
    if fixed_want != fixed_got:
        problems.append("fixed lines differ: " + _first_difference(fixed_want, fixed_got) + "\n"
                        + _diff(fixed_want, fixed_got))
    if len(fixed_got) == len(got):
        problems.append(f"no line of the random data (pattern {program.line_pattern!r}) was printed")
    elif not program.unbounded and len(want) - len(fixed_want) != len(got) - len(fixed_got):
        problems.append(f"{len(got) - len(fixed_got)} lines of random data, PyFlink printed "
                        f"{len(want) - len(fixed_want)}")
    return "\n".join(problems) or None


def _first_difference(want: list[str], got: list[str]) -> str:
    for index, (expected, actual) in enumerate(zip(want, got)):
        if expected != actual:
            return f"line {index + 1}: PyFlink {expected!r}, Fluvial {actual!r}"
    if len(want) > len(got):
        return f"Fluvial stops after {len(got)} lines, PyFlink goes on with {want[len(got)]!r}"
    return f"Fluvial prints {len(got) - len(want)} more lines, from {got[len(want)]!r}"


def _diff(want: list[str], got: list[str], limit: int = 40) -> str:
    lines = list(difflib.unified_diff(want, got, "pyflink", "fluvial", lineterm="", n=1))
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more diff lines)"]
    return "\n".join(lines)


def _listing(title: str, lines: list[str], limit: int = 20) -> str:
    if not lines:
        return ""
    shown = "\n".join("  " + line for line in lines[:limit])
    more = f"\n  ... and {len(lines) - limit} more" if len(lines) > limit else ""
    return f"{title}:\n{shown}{more}\n"


def check_pattern_covers(program: Program, recorded: str) -> str | None:
    """At record time: a `pattern` program's random lines must all match its pattern in
    real PyFlink's output, so the pattern states PyFlink's format, not a guess."""
    if program.mode != "pattern":
        return None
    pattern = re.compile(program.line_pattern)
    if not any(pattern.fullmatch(strip_subtask(line)) for line in output_lines(recorded)):
        return f"no line of PyFlink's output matches line_pattern {program.line_pattern!r}"
    return None


def fluvial_command() -> list[str]:
    return [str(ROOT / ".venv" / "bin" / "python"), "-m", "fluvial", "run"]


def fluvial_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "python")
    return env


def verdict(program: Program, result: RunResult) -> str | None:
    """None when Fluvial's run of 'program' is what real PyFlink did, else why not."""
    if program.unsupported is not None:
        if result.returncode in (0, None):
            return f"expected UnsupportedFeatureError ({program.unsupported}), but the program ran"
        if "UnsupportedFeatureError" not in result.stderr or program.unsupported not in result.stderr:
            return (f"expected UnsupportedFeatureError containing {program.unsupported!r}; stderr ends: "
                    + _last_line(result.stderr))
        return None
    if program.expect_error is not None:
        if result.returncode in (0, None):
            return f"PyFlink fails with {program.expect_error!r}, but Fluvial's run succeeded"
        if program.expect_error not in result.stderr:
            return (f"PyFlink fails with {program.expect_error!r}; Fluvial failed otherwise: "
                    + _last_line(result.stderr))
    elif result.returncode not in (0, None):
        return f"exit {result.returncode}: {_last_line(result.stderr)}"
    if result.returncode is None and not program.unbounded:
        return "did not finish"
    if not program.expected.exists():
        return f"no recording: {program.expected.relative_to(ROOT)} (run scripts/pyflink_oracle.py record)"
    difference = compare(program, program.expected.read_text(), result.rendered())
    return None if difference is None else "output differs: " + difference


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no stderr)"


def render_coverage_section(programs: dict[str, Program] | None = None) -> list[str]:
    """The corpus-1 section of docs/pyflink-coverage.md, from examples.toml: a program
    passes unless it has an xfail reason, and test_examples.py's strict xfails keep that
    true in both directions."""
    programs = load_manifest() if programs is None else programs
    passing = [p for p in programs.values() if not p.xfail]
    lines = [
        "## Corpus 1: the examples Flink ships",
        "",
        "Every program under `pyflink/examples/` of the apache-flink 2.2.0 wheel, and the 1.20.3",
        "ones that differ, run verbatim through `fluvial run` and compared with real PyFlink's",
        "recorded output (`tests/python/pyflink_conformance/`, re-recorded with",
        "`scripts/pyflink_oracle.py record`). Comparison: `ordered` exactly; `multiset` without",
        "the `N> ` subtask prefixes, in any order; `pattern` for random data (datagen): fixed lines",
        "exactly, random ones by PyFlink's format.",
        "",
        f"**{len(passing)} of {len(programs)} pass.**",
        "",
        "| program | comparison | Fluvial |",
        "|---|---|---|",
    ]
    for program in programs.values():
        if program.xfail:
            status = "fails: " + program.xfail.replace("|", "\\|")
        elif program.unsupported is not None:
            status = f"refused with `UnsupportedFeatureError` (not recorded: {program.record})"
        else:
            status = "pass"
        comparison = "—" if program.record is not None else resolved_mode(program)
        lines.append(f"| `{program.key}` | {comparison} | {status} |")
    return lines + [""]


SOURCE_LINE = re.compile(r"^# Source: (\S+)$", re.MULTILINE)


def sample_source_url(program: Program) -> str:
    """The documentation page a doc sample is from: its '# Source: URL' header line."""
    match = SOURCE_LINE.search(program.source.read_text())
    if not match:
        raise ValueError(f"{program.key}: no '# Source: <documentation URL>' line at its top")
    return match.group(1)


def render_doc_samples_section(programs: dict[str, Program] | None = None) -> list[str]:
    """The corpus-3 section of docs/pyflink-coverage.md, from doc_samples.toml (a sample
    passes unless it has an xfail reason; test_doc_samples.py's strict xfails keep that true)."""
    programs = load_manifest(DOC_SAMPLES) if programs is None else programs
    passing = [p for p in programs.values() if not p.xfail]
    lines = [
        "## Corpus 3: the documentation's code samples",
        "",
        "Code samples of the PyFlink documentation pages (DataStream, Table API, UDFs, pandas,",
        "state, timers, windows, connectors, conversions, data types), each completed into a",
        "runnable program (imports, an environment, a small inline input, a print) and otherwise",
        "kept as the page shows it, run through `fluvial run` and compared with real PyFlink",
        "2.2's recorded output (`tests/python/pyflink_conformance/corpus/doc_samples/`, re-recorded",
        "with `scripts/pyflink_oracle.py record --corpus doc_samples`). Same comparison modes as",
        "corpus 1.",
        "",
        f"**{len(passing)} of {len(programs)} pass.**",
        "",
        "| sample | page | comparison | Fluvial |",
        "|---|---|---|---|",
    ]
    for program in programs.values():
        status = "pass" if not program.xfail else "fails: " + program.xfail.replace("|", "\\|")
        url = sample_source_url(program)
        page = url.split("/docs/dev/", 1)[-1].split("#")[0].strip("/") or url
        lines.append(f"| `{program.path}` | [{page}]({url}) | {resolved_mode(program)} | {status} |")
    return lines + [""]


def one_line_reason(verdict_text: str, limit: int = 300) -> str:
    """The first line of a verdict, as examples.toml's xfail reason."""
    line = verdict_text.splitlines()[0].strip().replace(str(ROOT) + "/", "")
    return line if len(line) <= limit else line[:limit - 3] + "..."


def write_xfail_reasons(reasons: dict[str, str | None], corpus: str = "examples") -> None:
    """Set (or clear, for None) the xfail line of each program key in the corpus's
    manifest, keeping everything else of the file as written."""
    manifest = MANIFESTS[corpus]
    lines = manifest.read_text().splitlines()
    sections: dict[str, int] = {}
    for index, line in enumerate(lines):
        match = re.fullmatch(r'\["(.+)"\]', line.strip())
        if match:
            sections[match.group(1)] = index
    for key, reason in reasons.items():
        if key not in sections:
            if reason is None:
                continue
            lines += ["", f'["{key}"]']
            sections[key] = len(lines) - 1
        start = sections[key]
        end = start + 1
        while end < len(lines) and not lines[end].startswith("["):
            end += 1
        body = [line for line in lines[start + 1:end] if not line.startswith("xfail = ")]
        while body and not body[-1].strip():
            body.pop()
        if reason is not None:
            body.append("xfail = " + _toml_string(reason))
        trailing = [""] if end < len(lines) else []
        lines[start + 1:end] = body + trailing
        # Later sections moved: recompute their positions.
        sections = {k: i for i, line in enumerate(lines)
                    for k in [m.group(1) for m in [re.fullmatch(r'\["(.+)"\]', line.strip())] if m]}
    manifest.write_text("\n".join(lines) + "\n")


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def settled(predicate, seconds: float = 3.0):
    """A `done` for run_program: true once predicate(stdout) has held for 'seconds' with
    no new output, so a surplus line printed right after the expected ones is still seen."""
    state = {"since": None, "text": None}

    def done(text: str) -> bool:
        if seconds == 0:
            return predicate(text)
        if text != state["text"]:
            state["text"], state["since"] = text, None
            if predicate(text):
                state["since"] = time.monotonic()
            return False
        return state["since"] is not None and time.monotonic() - state["since"] >= seconds

    return done


def matches_recording(program: Program):
    """Fluvial's `done`: the output already equals what PyFlink printed (unbounded programs)."""
    if not program.expected.exists():
        return None
    expected = program.expected.read_text()
    quiet = 0.0 if program.mode == "pattern" else 3.0  # random data never stops coming
    return settled(lambda text: compare(program, expected, text) is None, seconds=quiet)


def has_expected_lines(program: Program):
    """The recorder's `done`: the program printed the lines its docstring's data make."""
    if program.expect_lines is None:
        return None
    # Random data never stops coming: no quiet period to wait for there.
    quiet = 0.0 if program.mode == "pattern" else 5.0
    return settled(lambda text: len(output_lines(text)) >= program.expect_lines, seconds=quiet)
