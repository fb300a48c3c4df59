"""Real PyFlink as the test oracle for the examples Flink ships (corpus 1 of issue #13).

    scripts/pyflink_oracle.py record [--only GLOB] [--runs N]
        Copies the example programs verbatim from the apache-flink 2.2 and 1.20 wheels
        into tests/python/pyflink_conformance/corpus/examples/ (2.2: all of them; 1.20:
        those that differ from 2.2) and records what real PyFlink prints and writes into
        expected/examples/. Every program is run N times (default 2): runs that differ
        under the program's comparison mode stop the recording, so a nondeterministic
        program gets a mode in examples.toml instead of a flaky expectation.
    scripts/pyflink_oracle.py record --corpus doc_samples [--only GLOB] [--runs N]
        The same for corpus 3, the documentation samples completed into programs
        (corpus/doc_samples/<topic>/<name>.py, written by hand, settings in
        doc_samples.toml), recorded on PyFlink 2.2 into expected/doc_samples/.
    scripts/pyflink_oracle.py compare [--corpus examples|doc_samples] [--only GLOB] [--update-manifest]
        Runs Fluvial on the corpus and prints a table: program, pass or what differs;
        --update-manifest writes those reasons as the programs' xfail in examples.toml
        (and removes the xfail of programs that pass).

GLOB matches the program's key, 'version/path' (doc samples: 'doc_samples/path'), e.g.
'2.2/datastream/*', '*/table/word_count.py' or 'doc_samples/table/*'.

Outside CI: it needs Java 17 and creates the PyFlink venvs once (bench/pyflink/.venv,
as bench/pyflink/run.sh does, and bench/pyflink/.venv-1.20); PYFLINK_2_2_PYTHON and
PYFLINK_1_20_PYTHON point it at existing ones instead. The Kafka examples need the
connector jars (fetched with Maven into the cache) and a broker on localhost:9092,
which this script starts per run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python" / "pyflink_conformance"))

import oracle  # noqa: E402
from example_broker import example_broker  # noqa: E402

SITE = ROOT / "scripts" / "pyflink_oracle_site"  # drops the add_jars placeholders, see there
BENCH = ROOT / "bench" / "pyflink"
VENVS = {"2.2": BENCH / ".venv", "1.20": BENCH / ".venv-1.20"}
PYTHON_VARIABLES = {"2.2": "PYFLINK_2_2_PYTHON", "1.20": "PYFLINK_1_20_PYTHON"}
CACHE = Path(os.environ.get("FLUVIAL_CACHE", Path.home() / ".cache" / "fluvial")) / "pyflink-oracle-jars"
# The jars the examples' add_jars() placeholders ("file:///path/to/...") stand for, per
# PyFlink version, from Maven Central: the latest connector built for that Flink line.
CONNECTOR_JARS = {
    "2.2": ["org.apache.flink:flink-sql-connector-kafka:5.0.0-2.2", "org.apache.flink:flink-sql-avro:2.1.0"],
    "1.20": ["org.apache.flink:flink-sql-connector-kafka:3.2.0-1.19", "org.apache.flink:flink-sql-avro:1.20.0"],
}


def pyflink_python(version: str) -> str:
    variable = PYTHON_VARIABLES[version]
    if os.environ.get(variable):
        return os.environ[variable]
    python = VENVS[version] / "bin" / "python"
    if not python.exists():
        if version == "2.2":
            subprocess.run(["bash", str(BENCH / "run.sh")], env=dict(os.environ, PYFLINK_VENV_ONLY="1"),
                           check=True)
        else:
            print(f"creating {VENVS[version]} (apache-flink {version}; once only)", file=sys.stderr)
            subprocess.run([os.environ.get("BASE_PYTHON", "python3.11"), "-m", "venv", str(VENVS[version])],
                           check=True)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r",
                            str(BENCH / "requirements-1.20.txt")], check=True)
    return str(python)


def examples_dir(version: str) -> Path:
    python = pyflink_python(version)
    location = subprocess.run([python, "-c", "import os, pyflink; print(os.path.dirname(pyflink.__file__))"],
                              check=True, capture_output=True, text=True).stdout.strip()
    return Path(location) / "examples"


def copy_examples() -> None:
    """The corpus: every 2.2 example, and the 1.20 ones that differ from (or are not in) 2.2."""
    sources = {version: examples_dir(version) for version in oracle.VERSIONS}
    newest = sources["2.2"]
    for version, source in sources.items():
        target = oracle.CORPUS / version
        for program in sorted(source.rglob("*.py")):
            relative = program.relative_to(source)
            if version != "2.2" and (newest / relative).exists() and \
                    (newest / relative).read_bytes() == program.read_bytes():
                continue
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(program, target / relative)


def flink_home_with_connectors(version: str, work: Path) -> Path:
    """A FLINK_HOME like the wheel's (PyFlink trusts FLINK_HOME when it is set), whose lib/
    also holds the Kafka and Avro connector jars."""
    jars = CACHE / version
    if not (jars / ".complete").exists():
        jars.mkdir(parents=True, exist_ok=True)
        for artifact in CONNECTOR_JARS[version]:
            subprocess.run(["mvn", "-q", "-B", "dependency:copy", f"-Dartifact={artifact}",
                            f"-DoutputDirectory={jars}"], check=True, cwd=work)
        (jars / ".complete").touch()
    wheel_home = examples_dir(version).parent
    home = work / f"flink-home-{version}"
    if not home.exists():
        (home / "lib").mkdir(parents=True)
        for entry in wheel_home.iterdir():
            if entry.name != "lib":
                (home / entry.name).symlink_to(entry)
        for jar in [*(wheel_home / "lib").glob("*.jar"), *jars.glob("*.jar")]:
            (home / "lib" / jar.name).symlink_to(jar)
    return home


def pyflink_env(version: str, program: oracle.Program, work: Path) -> dict:
    env = dict(os.environ)
    # PyFlink starts its Python workers as `python` (python.executable): the venv's.
    env["PATH"] = str(Path(pyflink_python(version)).parent) + os.pathsep + env.get("PATH", "")
    if "JAVA_HOME" not in env and shutil.which("java"):
        env["JAVA_HOME"] = str(Path(os.path.realpath(shutil.which("java"))).parents[1])
    if program.kafka_topics:
        home = flink_home_with_connectors(version, work)
        env.update(FLINK_HOME=str(home), FLINK_LIB_DIR=str(home / "lib"), PYFLINK_ORACLE_CONNECTOR_JARS="1")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SITE), env.get("PYTHONPATH")]))
    return env


def run_once(command: list[str], program: oracle.Program, env: dict, timeout: float, done) -> oracle.RunResult:
    if program.kafka_topics:
        with example_broker(program.kafka_topics):
            return oracle.run_program(command, program, env, timeout, done)
    return oracle.run_program(command, program, env, timeout, done)


def record(only: str | None, runs: int, corpus: str) -> int:
    if corpus == "examples":
        copy_examples()
    programs = oracle.select(oracle.load_manifest(corpus), only)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="pyflink-oracle-") as work:
        for program in programs:
            if program.record is not None:
                print(f"{program.key}: not recorded ({program.record})")
                continue
            command = [pyflink_python(program.version)]
            env = pyflink_env(program.version, program, Path(work))
            results = [run_once(command, program, env, program.record_timeout, oracle.has_expected_lines(program))
                       for _ in range(runs)]
            problem = None
            for result in results:
                if program.expect_error is not None:
                    if result.returncode in (0, None) or program.expect_error not in result.stderr:
                        problem = (f"expected PyFlink to fail with {program.expect_error!r} (exit "
                                   f"{result.returncode}):\n{result.stderr[-3000:]}")
                        break
                elif result.returncode not in (0, None) or (result.returncode is None and not program.unbounded):
                    problem = f"PyFlink failed (exit {result.returncode}):\n{result.stderr[-3000:]}"
                    break
            first = results[0].rendered()
            if program.expect_lines is not None and not problem:
                short = [len(oracle.output_lines(r.rendered())) for r in results
                         if len(oracle.output_lines(r.rendered())) < program.expect_lines]
                if short:
                    problem = (f"PyFlink printed {short[0]} lines, fewer than the {program.expect_lines} expected, "
                               f"within {program.record_timeout:g} s (raise record_timeout)")
            pattern_problem = oracle.check_pattern_covers(program, first)
            if pattern_problem and not problem:
                problem = pattern_problem + "; PyFlink printed:\n" + "\n".join(first.splitlines()[:15])
            for other in results[1:]:
                difference = problem or oracle.compare(program, first, other.rendered())
                if difference:
                    problem = problem or ("nondeterministic under mode " + program.mode + ":\n" + difference)
            if problem:
                failures += 1
                print(f"{program.key}: NOT RECORDED: {problem}")
                continue
            program.expected.parent.mkdir(parents=True, exist_ok=True)
            program.expected.write_text(first)
            seconds = ", ".join(f"{r.seconds:.0f}" for r in results)
            print(f"{program.key}: recorded ({len(first.splitlines())} lines; runs took {seconds} s)")
    return 1 if failures else 0


def compare(only: str | None, update_manifest: bool, corpus: str) -> int:
    programs = oracle.select(oracle.load_manifest(corpus), only)
    passed = 0
    reasons = {}
    for program in programs:
        result = run_once(oracle.fluvial_command(), program, oracle.fluvial_env(), program.timeout,
                          oracle.matches_recording(program))
        verdict = oracle.verdict(program, result)
        passed += verdict is None
        reasons[program.key] = None if verdict is None else oracle.one_line_reason(verdict)
        print(f"{program.key:60} {'pass' if verdict is None else reasons[program.key][:110]}", flush=True)
    print(f"\n{passed} of {len(programs)} pass")
    if update_manifest:
        oracle.write_xfail_reasons(reasons, corpus)
        print(f"updated the xfail reasons in {oracle.MANIFESTS[corpus].relative_to(ROOT)}; "
              "regenerate docs/pyflink-coverage.md with scripts/pyflink_coverage.py")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["record", "compare"])
    parser.add_argument("--corpus", choices=list(oracle.MANIFESTS), default="examples",
                        help="examples (corpus 1, the default) or doc_samples (corpus 3)")
    parser.add_argument("--only", help="a glob over the programs' keys ('version/path')")
    parser.add_argument("--runs", type=int, default=2, help="recordings per program (record)")
    parser.add_argument("--update-manifest", action="store_true",
                        help="compare: write each failing program's reason as its xfail in the manifest")
    args = parser.parse_args()
    if args.command == "record":
        return record(args.only, args.runs, args.corpus)
    return compare(args.only, args.update_manifest, args.corpus)


if __name__ == "__main__":
    sys.exit(main())
