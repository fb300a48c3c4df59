"""Command line: ``fluvial run job.py [args...]`` runs an unmodified PyFlink job on Fluvial.

The job runs like ``python job.py args...`` (as __main__, with sys.argv and sys.path[0]
set accordingly) with ``pyflink`` imports aliased to ``fluvial`` for the run.
"""
import argparse
import os
import runpy
import sys
import traceback

from fluvial import _pyflink_alias
from fluvial._pyflink_api import PYFLINK_VERSION


def _version():
    try:
        from importlib.metadata import version
        return version("fluvial")
    except Exception:  # not installed as a distribution (e.g. run from a checkout)
        import fluvial
        return getattr(fluvial, "__version__", "0+unknown")


def _parser():
    parser = argparse.ArgumentParser(
        prog="fluvial", description="Run PyFlink programs on Fluvial's native engine.")
    parser.add_argument(
        "--version", action="version",
        version=f"fluvial {_version()} (PyFlink {PYFLINK_VERSION} API)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser(
        "run", help="run a PyFlink job script",
        description="Run SCRIPT as __main__ with `pyflink` imports served by Fluvial.")
    resume = run.add_mutually_exclusive_group()
    resume.add_argument(
        "--from-checkpoint", metavar="DIR", dest="restore_path",
        help="resume the job from a checkpoint: a checkpoint directory (its newest completed "
             "checkpoint; refused if that one is corrupt or lost), or a chk-N folder (an older "
             "one than the newest is accepted with a warning: output committed after it is "
             "written again)")
    resume.add_argument(
        "--from-savepoint", "-s", metavar="PATH", dest="restore_path",
        help="resume the job from a savepoint folder (the parallelism may differ)")
    run.add_argument("script", metavar="SCRIPT", help="the job's Python file")
    # REMAINDER: everything after SCRIPT, options included, belongs to the job.
    run.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS",
                     help="arguments passed to the job as sys.argv[1:]")
    return parser


def _exit_code(exc):
    """The process exit code Python itself would use for SystemExit(exc.code)."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def run_script(script, args=()):
    """Run ``script`` as __main__ with pyflink aliased; return the exit code."""
    path = os.path.abspath(script)
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    # runpy sets argv[0] to the path it runs; an absolute one also makes __file__ absolute,
    # as `python job.py` does since 3.9.
    sys.argv = [path, *args]
    sys.path.insert(0, os.path.dirname(path))
    owns_alias = not _pyflink_alias.installed()  # leave a caller's own install() alone
    _pyflink_alias.install()
    try:
        runpy.run_path(path, run_name="__main__")
        return 0
    except SystemExit as e:
        return _exit_code(e)
    except BaseException as e:  # noqa: B902 - report like the interpreter, incl. Ctrl-C
        tb = e.__traceback__
        # Hide the runner's own frames: start the traceback at the job's first frame.
        while tb is not None and tb.tb_frame.f_code.co_filename != path:
            tb = tb.tb_next
        traceback.print_exception(type(e), e, tb or e.__traceback__)
        return 130 if isinstance(e, KeyboardInterrupt) else 1
    finally:
        if owns_alias:
            _pyflink_alias.uninstall()
        sys.argv = saved_argv
        sys.path[:] = saved_path  # in place: others may hold a reference to sys.path


def main(argv=None):
    """Entry point of the `fluvial` command; returns the exit code."""
    parser = _parser()
    try:
        ns = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as e:  # --help, --version, usage errors
        return _exit_code(e)
    if ns.command is None:
        parser.print_help(sys.stderr)
        return 2
    if not os.path.isfile(ns.script):
        print(f"fluvial run: no such file: {ns.script}", file=sys.stderr)
        return 2
    if ns.restore_path is None:
        return run_script(ns.script, ns.args)
    from fluvial.datastream._recovery import set_default_restore_path

    set_default_restore_path(ns.restore_path)
    try:
        return run_script(ns.script, ns.args)
    finally:
        set_default_restore_path(None)


if __name__ == "__main__":
    sys.exit(main())
