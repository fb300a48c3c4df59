"""The files of a sink that commits in two phases — the DataStream FileSink and the SQL
filesystem sink share this: how an unfinished (in-progress or pending) file is named, how it
is committed, and which leftovers a sink may remove.

An unfinished file is hidden and carries who wrote it::

    .<final name>.inprogress.<sink id>.<attempt>.<random>

- the *sink id* (16 hex digits) names one sink of one job, the same across restores: a hash
  of the job's identity (its checkpoint directory and name, see ``job_identity``) and the
  sink's operator key (its ``uid``, else its place in the plan). Two jobs writing the same
  base path have different sink ids, as have two sinks of one job.
- the *attempt* (12 hex digits) names one run of the job (``CheckpointCoordinator.attempt``);
  a restart is a new attempt.

When a job starts or restores, the files its restored checkpoint pre-committed are committed
first (every writer's ``restore_state`` runs before any writer opens). Any other unfinished
file with this sink id from another attempt holds rows after that checkpoint, which the job
writes again: subtask 0 of the sink removes those (``remove_leftovers``) and nothing else —
not the files of its own attempt, not those of other sinks or jobs, not files named
otherwise. This is Flink's rule in spirit: a sink deletes only what it can prove is its own.
"""

import hashlib
import logging
import os
import re
import uuid

from fluvial.errors import ConnectorError

logger = logging.getLogger("fluvial.connectors")

_MARK = ".inprogress."
_UNFINISHED = re.compile(r"^\..+\.inprogress\.(?P<sink>[0-9a-f]{16})\.(?P<attempt>[0-9a-f]{12})\.[0-9a-f]{32}$")


def job_identity(checkpoint_location: str, job_name: str) -> str:
    """What names a job across its restarts and restores: its checkpoint directory (absolute,
    for a local one) — a job resumes from the checkpoints there — and its name."""
    location = checkpoint_location
    if "://" not in location or location.startswith("file://"):
        location = os.path.abspath(location[len("file://"):] if location.startswith("file://") else location)
    return f"{location}\0{job_name}"


def sink_id(job: str, operator_key: str) -> str:
    """The sink id of the sink 'operator_key' of the job 'job' (see job_identity)."""
    return hashlib.sha256(f"{job}\0{operator_key}".encode("utf-8")).hexdigest()[:16]


def random_sink_id() -> str:
    """A sink id for a sink that does not checkpoint: its files belong to this run only."""
    return uuid.uuid4().hex[:16]


def random_attempt() -> str:
    return uuid.uuid4().hex[:12]


def unfinished_path(final_path: str, sink: str, attempt: str) -> str:
    """The hidden name a file destined for 'final_path' has until it is committed."""
    directory, name = os.path.split(final_path)
    return os.path.join(directory, f".{name}{_MARK}{sink}.{attempt}.{uuid.uuid4().hex}")


def commit(unfinished: str, final: str, sink_name: str) -> None:
    """Gives a finished file its final name, never replacing an existing file; idempotent: a
    file committed before (the unfinished name gone, the final one there) is left as it is."""
    try:
        os.link(unfinished, final)  # fails if 'final' exists: committed data is never overwritten
    except FileNotFoundError:
        if os.path.exists(final):
            return  # committed by an earlier attempt
        raise ConnectorError(
            f"{sink_name}: the pre-committed file {unfinished} is gone, so its rows cannot be committed "
            f"as {final} (was it removed by another program, or the output directory changed?)") from None
    except FileExistsError:
        if not os.path.exists(unfinished) or os.path.samefile(unfinished, final):
            _remove(unfinished)
            return
        raise ConnectorError(f"{sink_name}: cannot commit {unfinished}: {final} exists and committed data "
                             f"is never overwritten") from None
    _remove(unfinished)


def remove_leftovers(base_path: str, sink: str, attempt: str) -> int:
    """Removes the unfinished files under 'base_path' that sink 'sink' left in attempts other
    than 'attempt'; returns how many. Files of other sinks and jobs are never touched."""
    removed = 0
    for directory, _, names in os.walk(base_path):
        for name in names:
            match = _UNFINISHED.match(name) if _MARK in name else None
            if match is not None and match["sink"] == sink and match["attempt"] != attempt:
                if _remove(os.path.join(directory, name)):
                    removed += 1
    if removed:
        logger.info("removed %d unfinished files of earlier attempts of sink %s under %s", removed, sink, base_path)
    return removed


def _remove(path: str) -> bool:
    try:
        os.unlink(path)
        return True
    except FileNotFoundError:
        return False  # removed already (by an earlier attempt of this cleanup)
