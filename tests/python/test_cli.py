"""Tests of `fluvial run` and of the pyflink -> fluvial import alias.

The alias is exercised on a fake `fluvial._clitest` package (FAKE_SETUP) so these tests
do not depend on how far fluvial.common / fluvial.datastream have got; the only test on a
real Fluvial module is skipped until fluvial.common.Row exists.
"""
import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import pytest

from fluvial import _pyflink_alias, _pyflink_api, cli
from fluvial.errors import UnsupportedFeatureError

PYTHON_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "python"))

# Registers fake Fluvial modules and their PyFlink inventory entries.  Run by the `fake`
# fixture, and pasted at the top of jobs that run in a subprocess.
FAKE_SETUP = textwrap.dedent("""\
    import sys, types
    from fluvial import _pyflink_api
    pkg = types.ModuleType("fluvial._clitest"); pkg.__path__ = []
    sub = types.ModuleType("fluvial._clitest.sub")  # a plain module, not a package
    class Supported: pass
    class Thing: pass
    pkg.Supported, pkg.sub, sub.Thing = Supported, sub, Thing
    sys.modules.update({pkg.__name__: pkg, sub.__name__: sub})
    _pyflink_api.API.update({"pyflink._clitest": ("Supported", "Missing"),
                             "pyflink._clitest.sub": ("Thing",)})
    _pyflink_api.MODULES = _pyflink_api.MODULES | {
        "pyflink._clitest", "pyflink._clitest.sub", "pyflink._clitest.gone",
        "pyflink._clitest.sub.deeper"}
""")
FAKE_MODULES = ("fluvial._clitest", "fluvial._clitest.sub")

# Job printing what it sees, as one JSON line.
REPORT_JOB = textwrap.dedent("""\
    import json, sys
    print(json.dumps({"name": __name__, "argv": sys.argv, "file": __file__,
                      "path0": sys.path[0]}))
""")


@pytest.fixture(autouse=True)
def _no_leftover_alias():
    yield
    _pyflink_alias.uninstall()


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(_pyflink_api, "API", dict(_pyflink_api.API))
    monkeypatch.setattr(_pyflink_api, "MODULES", _pyflink_api.MODULES)
    for name in FAKE_MODULES:
        monkeypatch.setitem(sys.modules, name, None)  # so that undo removes them
    exec(FAKE_SETUP, {})
    return sys.modules["fluvial._clitest"]


@pytest.fixture
def alias(fake):
    _pyflink_alias.install()
    yield fake
    _pyflink_alias.uninstall()


def write_job(tmp_path, body, name="job.py"):
    path = tmp_path / name
    path.write_text(body)
    return path


def run_subprocess(tmp_path, *args):
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    return subprocess.run([sys.executable, "-m", "fluvial", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def last_json(out):
    return json.loads(out.strip().splitlines()[-1])


# --- fluvial run, in-process ------------------------------------------------------------

def test_run_in_process_sets_main_argv_and_path(tmp_path, capsys):
    job = write_job(tmp_path, REPORT_JOB)
    argv_before, path_before = sys.argv[:], sys.path[:]
    assert cli.main(["run", str(job), "a", "b"]) == 0
    seen = last_json(capsys.readouterr().out)
    assert seen["name"] == "__main__"
    assert os.path.samefile(seen["argv"][0], job) and seen["argv"][1:] == ["a", "b"]
    assert seen["file"] == str(job)
    assert seen["path0"] == str(tmp_path)
    # Everything put back for the caller.
    assert sys.argv == argv_before and sys.path == path_before
    assert not _pyflink_alias.installed() and "pyflink" not in sys.modules


def test_run_relative_path_and_job_options(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_job(tmp_path, REPORT_JOB)
    # Options after the script, -h included, belong to the job, not to fluvial.
    assert cli.main(["run", "job.py", "--input", "x", "-h"]) == 0
    seen = last_json(capsys.readouterr().out)
    assert seen["argv"][1:] == ["--input", "x", "-h"]
    assert seen["path0"] == str(tmp_path) and os.path.isabs(seen["file"])


def test_job_imports_sibling_module(tmp_path, capsys):
    write_job(tmp_path, "VALUE = 42\n", name="helper_for_cli_test.py")
    job = write_job(tmp_path, "import helper_for_cli_test as h\nprint(h.VALUE)\n")
    try:
        assert cli.main(["run", str(job)]) == 0
    finally:
        sys.modules.pop("helper_for_cli_test", None)
    assert capsys.readouterr().out.strip() == "42"


@pytest.mark.parametrize("body, code, stderr", [
    ("pass\n", 0, ""),
    ("import sys\nsys.exit(3)\n", 3, ""),
    ("import sys\nsys.exit()\n", 0, ""),
    ("raise SystemExit('bye')\n", 1, "bye\n"),
])
def test_exit_codes(tmp_path, capsys, body, code, stderr):
    job = write_job(tmp_path, body)
    assert cli.main(["run", str(job)]) == code
    assert capsys.readouterr().err == stderr


def test_uncaught_exception_prints_traceback_and_exits_1(tmp_path, capsys):
    job = write_job(tmp_path, "def f():\n    raise ValueError('boom')\n\nf()\n")
    assert cli.main(["run", str(job)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert f'File "{job}", line 4' in err and "ValueError: boom" in err
    assert "runpy" not in err and "cli.py" not in err  # the runner's frames are hidden
    assert not _pyflink_alias.installed()


def test_missing_file(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", "nope.py"]) == 2
    assert capsys.readouterr().err == "fluvial run: no such file: nope.py\n"


def test_version_help_and_no_command(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("fluvial ")
    assert cli.main(["--help"]) == 0
    assert "run" in capsys.readouterr().out
    assert cli.main([]) == 2
    assert cli.main(["run"]) == 2  # SCRIPT missing: argparse usage error
    assert "SCRIPT" in capsys.readouterr().err


def test_job_sees_aliased_pyflink(tmp_path, capsys, fake):
    job = write_job(tmp_path, textwrap.dedent("""\
        import sys
        from pyflink._clitest import Supported
        import pyflink._clitest.sub as s
        assert Supported is sys.modules["fluvial._clitest"].Supported
        assert s.Thing is sys.modules["fluvial._clitest.sub"].Thing
        print("ok")
    """))
    assert cli.main(["run", str(job)]) == 0
    assert capsys.readouterr().out == "ok\n"
    assert "pyflink._clitest" not in sys.modules  # the alias lived for the run only


def test_unsupported_name_fails_the_job(tmp_path, capsys, fake):
    job = write_job(tmp_path, "from pyflink._clitest import Missing\n")
    assert cli.main(["run", str(job)]) == 1
    assert ("fluvial.errors.UnsupportedFeatureError: pyflink._clitest.Missing is not "
            "supported by Fluvial yet (see docs/pyflink-coverage.md)") in capsys.readouterr().err


# --- the alias itself ---------------------------------------------------------------------

def test_alias_gives_the_same_objects(alias):
    import pyflink
    import pyflink._clitest
    import pyflink._clitest.sub as s
    from pyflink._clitest import Supported, sub

    assert Supported is alias.Supported
    assert s is sub is pyflink._clitest.sub is sys.modules["pyflink._clitest.sub"]
    assert s.Thing is alias.sub.Thing
    assert isinstance(alias.sub.Thing(), s.Thing)
    assert pyflink._clitest is sys.modules["pyflink._clitest"]
    assert pyflink.__name__ == "pyflink" and "_clitest" in dir(pyflink)


def test_alias_star_import(alias):
    ns = {}
    exec("from pyflink._clitest import *", ns)
    assert ns["Supported"] is alias.Supported and "Missing" not in ns


def test_unsupported_name_raises_unchanged_through_from_import(alias):
    with pytest.raises(UnsupportedFeatureError) as info:
        exec("from pyflink._clitest import Supported, Missing", {})
    assert type(info.value) is UnsupportedFeatureError  # not rewrapped by the import system
    assert str(info.value) == ("pyflink._clitest.Missing is not supported by Fluvial yet "
                               "(see docs/pyflink-coverage.md)")
    import pyflink._clitest
    with pytest.raises(UnsupportedFeatureError, match=r"pyflink\._clitest\.Missing"):
        pyflink._clitest.Missing
    with pytest.raises(ImportError):  # what `except ImportError` fallbacks rely on
        exec("from pyflink._clitest import Missing", {})


def test_unknown_name_is_a_plain_import_or_attribute_error(alias):
    with pytest.raises(ImportError, match="cannot import name 'Typo'") as info:
        exec("from pyflink._clitest import Typo", {})
    assert not isinstance(info.value, UnsupportedFeatureError)
    import pyflink._clitest
    with pytest.raises(AttributeError, match="has no attribute 'Typo'"):
        pyflink._clitest.Typo


@pytest.mark.parametrize("statement", [
    "import pyflink._clitest.gone",
    "from pyflink._clitest import gone",
    "from pyflink._clitest.gone import X",
    "import pyflink._clitest.sub.deeper",  # below a Fluvial module that is not a package
])
def test_unsupported_module(alias, statement):
    with pytest.raises(UnsupportedFeatureError, match=r"pyflink\._clitest\.(sub\.deeper|gone) "
                       r"is not supported by Fluvial yet \(see docs/pyflink-coverage\.md\)"):
        exec(statement, {})


def test_unsupported_real_pyflink_module():
    if _pyflink_api.import_fluvial("pyflink.datastream.connectors.cassandra") is not None:
        pytest.skip("Fluvial has a Cassandra connector now")
    _pyflink_alias.install()
    with pytest.raises(UnsupportedFeatureError, match=(
            r"^pyflink\.datastream\.connectors\.cassandra is not supported by Fluvial yet")):
        import pyflink.datastream.connectors.cassandra  # noqa: F401


def test_module_unknown_to_pyflink_is_module_not_found(alias):
    with pytest.raises(ModuleNotFoundError) as info:
        import pyflink._clitest.nothing  # noqa: F401
    assert not isinstance(info.value, UnsupportedFeatureError)
    assert info.value.name == "pyflink._clitest.nothing"


def test_uninstall_restores_import_state(alias, monkeypatch):
    import pyflink._clitest  # noqa: F401
    _pyflink_alias.uninstall()
    assert not any(n == "pyflink" or n.startswith("pyflink.") for n in sys.modules)
    assert not any(isinstance(f, _pyflink_alias._AliasFinder) for f in sys.meta_path)
    if importlib.util.find_spec("pyflink") is not None:
        pytest.skip("a real pyflink is installed in this environment")
    with pytest.raises(ModuleNotFoundError):
        import pyflink  # noqa: F401


def test_install_sets_aside_an_already_imported_pyflink(fake, monkeypatch):
    earlier = object()
    monkeypatch.setitem(sys.modules, "pyflink", earlier)
    _pyflink_alias.install()
    import pyflink
    assert pyflink is not earlier and pyflink.__name__ == "pyflink"
    _pyflink_alias.uninstall()
    assert sys.modules["pyflink"] is earlier


def test_real_fluvial_common_row():
    common = _pyflink_api.import_fluvial("pyflink.common")
    if common is None or not hasattr(common, "Row"):
        pytest.skip("fluvial.common.Row is not there yet")
    _pyflink_alias.install()
    from pyflink.common import Row
    assert Row is common.Row


# --- inventory ----------------------------------------------------------------------------

def test_inventory_shape():
    assert "StreamExecutionEnvironment" in _pyflink_api.API["pyflink.datastream"]
    assert "Types" in _pyflink_api.API["pyflink.common.typeinfo"]
    assert "udf" in _pyflink_api.API["pyflink.table.udf"]
    assert set(_pyflink_api.API) <= _pyflink_api.MODULES
    for names in _pyflink_api.API.values():
        assert len(set(names)) == len(names)


def test_coverage(fake, monkeypatch):
    monkeypatch.setitem(_pyflink_api.API, "pyflink._no_such_fluvial_module", ("A",))
    cov = _pyflink_api.coverage()
    assert set(cov) == set(_pyflink_api.API)
    assert cov["pyflink._clitest"] == {
        "module": "fluvial._clitest", "provided": ("Supported",), "missing": ("Missing",)}
    assert cov["pyflink._no_such_fluvial_module"] == {
        "module": None, "provided": (), "missing": ("A",)}


# --- python -m fluvial, in a subprocess --------------------------------------------------

def test_subprocess_run(tmp_path):
    write_job(tmp_path, FAKE_SETUP + REPORT_JOB + textwrap.dedent("""\
        from pyflink._clitest import Supported
        assert Supported is sys.modules["fluvial._clitest"].Supported
    """))
    proc = run_subprocess(tmp_path, "run", "job.py", "a", "b")
    assert proc.returncode == 0, proc.stderr
    seen = last_json(proc.stdout)
    assert seen["name"] == "__main__" and seen["argv"][1:] == ["a", "b"]
    assert os.path.samefile(seen["argv"][0], tmp_path / "job.py")
    assert seen["path0"] == str(tmp_path)


@pytest.mark.parametrize("body, code, in_stderr", [
    ("import sys\nsys.exit(5)\n", 5, ""),
    ("raise RuntimeError('kaput')\n", 1, "RuntimeError: kaput"),
    (FAKE_SETUP + "from pyflink._clitest import Missing\n", 1,
     "fluvial.errors.UnsupportedFeatureError: pyflink._clitest.Missing is not supported"),
    ("import pyflink.datastream.connectors.cassandra\n", 1,
     "pyflink.datastream.connectors.cassandra is not supported by Fluvial yet"),
])
def test_subprocess_exit_codes(tmp_path, body, code, in_stderr):
    if "cassandra" in body and _pyflink_api.import_fluvial(
            "pyflink.datastream.connectors.cassandra") is not None:
        pytest.skip("Fluvial has a Cassandra connector now")
    write_job(tmp_path, body)
    proc = run_subprocess(tmp_path, "run", "job.py")
    assert proc.returncode == code, proc.stderr
    assert in_stderr in proc.stderr


def test_subprocess_missing_file_and_version(tmp_path):
    proc = run_subprocess(tmp_path, "run", "missing.py")
    assert proc.returncode == 2
    assert proc.stderr == "fluvial run: no such file: missing.py\n"
    proc = run_subprocess(tmp_path, "--version")
    assert proc.returncode == 0 and proc.stdout.startswith("fluvial ")


def test_pyflink_methods_fluvial_lacks_are_named(tmp_path):
    from fluvial.datastream import StreamExecutionEnvironment
    from fluvial.errors import UnsupportedFeatureError

    env = StreamExecutionEnvironment.get_execution_environment()
    with pytest.raises(UnsupportedFeatureError,
                       match=r"StreamExecutionEnvironment\.enable_changelog_state_backend\(\)"):
        env.enable_changelog_state_backend(True)
    with pytest.raises(AttributeError, match="no attribute 'enable_checkpointin'"):
        env.enable_checkpointin(1000)  # a typo is not a missing feature
