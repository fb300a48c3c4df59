"""Checkpoint storage: a directory (local, ``file://`` or any URI Arrow's filesystem layer
opens, such as ``s3://``) holding one folder per checkpoint.

Layout::

    DIR/chk-7/_metadata           what the checkpoint holds, written last (temp + rename)
    DIR/chk-7/op-3-0.state        operator 3, subtask 0: MAGIC, HMAC-SHA256, pickled state
    DIR/_latest                   the id of the newest completed checkpoint (see below)
    DIR/savepoint-<time>-<id>/    a savepoint: the same layout, never deleted by Fluvial

Every state file carries an HMAC (SHA-256) of its payload and the metadata lists each
file's size and SHA-256; the metadata carries its own HMAC. Nothing is unpickled before
both check out. The keys and who can forge a checkpoint: _checkpoint_keys.py.

Incomplete, corrupt and lost checkpoints. A chk-N folder without ``_metadata`` is
*incomplete*: the process died while writing it, nothing was committed with it, and it is
skipped. A folder whose ``_metadata`` exists completed, and the sinks may have committed
its output: if it fails verification (a file damaged, truncated or missing) it is
*corrupt*, and resuming from an older checkpoint would write that output again, so the
job is refused (NewestCheckpointUnusableError) instead of falling back. To tell an
incomplete checkpoint from a completed one whose ``_metadata`` (or whole folder) was
deleted later, the coordinator writes ``DIR/_latest`` (atomically, authenticated) after
``_metadata`` and before any sink commits: a checkpoint at or below the recorded id without
``_metadata`` is *lost*, and refused the same way.

Local files are written with mode 0600 and the folders Fluvial creates with 0700: state
files hold the job's state and, for the exactly-once KafkaSink, its log of output records.
"""

import hashlib
import hmac
import json
import logging
import os
import re
import shutil
import time
import warnings
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import cloudpickle

from fluvial.datastream._checkpoint_keys import (
    DIRECTORY_SCOPE,
    KEY_ENVIRONMENT_VARIABLE,  # noqa: F401 (re-exported: where the key comes from)
    SAVEPOINT_SCOPE,
    CheckpointKeyError,  # noqa: F401 (re-exported)
    derived_key,
    master_key,
)
from fluvial.errors import FluvialError, InvalidJobError

logger = logging.getLogger("fluvial.checkpoint")

MAGIC = b"FLUVIAL-STATE-1\n"
METADATA = "_metadata"
LATEST = "_latest"
_CHECKPOINT_FOLDER = re.compile(r"^chk-(\d+)$")
_SAVEPOINT_FOLDER = re.compile(r"^savepoint-.*-(\d+)$")
CORRUPT_CHECKPOINTS_DOCS = "docs/fault-tolerance.md#corrupt-checkpoints"


class CorruptCheckpointError(FluvialError):
    """A checkpoint or savepoint is incomplete, damaged or was not written with this key.
    The message starts with the path of the file at fault."""


class NewestCheckpointUnusableError(CorruptCheckpointError):
    """The newest completed checkpoint of a checkpoint directory is corrupt or lost, so the
    job cannot resume from that directory without possibly repeating committed output.

    Attributes: ``directory`` (the checkpoint directory), ``checkpoint_id`` (the unusable
    checkpoint), ``reason`` (what is wrong with it), ``older`` (the paths of the intact
    older checkpoints, oldest first)."""

    def __init__(self, directory: str, checkpoint_id: int, folder: str, reason: str,
                 older: List[str]):
        self.directory, self.checkpoint_id, self.reason, self.older = directory, checkpoint_id, reason, older
        if older:
            fallback = (f"or resume from the older checkpoint {older[-1]}, accepting that output "
                        f"committed after it is written again (duplicates): `fluvial run "
                        f"--from-checkpoint {older[-1]} job.py`, or the configuration key "
                        f"execution.savepoint.path; ")
        else:
            fallback = "no older intact checkpoint is left in it; "
        super().__init__(
            f"cannot resume from the checkpoint directory {directory}: its newest completed "
            f"checkpoint, {checkpoint_id}, {reason}. Its output may already be committed, so "
            f"Fluvial does not fall back to an older checkpoint on its own (that would write the "
            f"output again). Restore the damaged or missing files of {folder}; {fallback}or "
            f"resume from a savepoint (`fluvial run --from-savepoint PATH job.py`); or start "
            f"over with an empty checkpoint directory (see {CORRUPT_CHECKPOINTS_DOCS})")


def checkpoint_key() -> bytes:
    """The master key for checkpoint files (see _checkpoint_keys.py)."""
    return master_key()


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


# Flink's names of the S3 options (configuration keys), read by filesystem_options().
S3_OPTIONS = ("s3.endpoint", "s3.access-key", "s3.secret-key", "s3.path.style.access",
              "s3.region")


def filesystem_options(configuration: Any) -> Dict[str, str]:
    """The S3 options set in a Configuration (the keys of S3_OPTIONS)."""
    options = {}
    for key in S3_OPTIONS:
        value = configuration.get_string(key, "")
        if value:
            options[key] = value
    return options


def _s3_filesystem(location: str, options: Dict[str, str]):
    """pyarrow's S3FileSystem for an s3:// location with Flink's s3.* options, and the
    bucket/path inside it."""
    from urllib.parse import urlparse

    from pyarrow import fs

    arguments: Dict[str, Any] = {}
    endpoint = options.get("s3.endpoint")
    if endpoint:
        parsed = urlparse(endpoint if "://" in endpoint else "https://" + endpoint)
        arguments["endpoint_override"] = parsed.netloc + parsed.path.rstrip("/")
        arguments["scheme"] = parsed.scheme
    if ("s3.access-key" in options) != ("s3.secret-key" in options):
        raise InvalidJobError("configuration: s3.access-key and s3.secret-key go together; set both "
                         "(or neither, to use the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY "
                         "environment variables or ~/.aws/credentials)")
    if "s3.access-key" in options:
        arguments["access_key"] = options["s3.access-key"]
        arguments["secret_key"] = options["s3.secret-key"]
    if "s3.region" in options:
        arguments["region"] = options["s3.region"]
    path_style = options.get("s3.path.style.access")
    if path_style is not None:
        arguments["force_virtual_addressing"] = path_style.strip().lower() != "true"
    return fs.S3FileSystem(**arguments), location[len("s3://"):].rstrip("/")


def _make_private_dirs(path: str) -> None:
    """Creates 'path' and any missing parent with mode 0700 (os.makedirs gives the parents
    the default mode); existing folders keep theirs."""
    if os.path.isdir(path):
        return
    _make_private_dirs(os.path.dirname(path))
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass


class _Files:
    """The few file operations storage needs, on a local path or through pyarrow.fs."""

    def __init__(self, location: str, options: Optional[Dict[str, str]] = None):
        self.location = location
        self.scheme = location.split("://", 1)[0] if "://" in location else "file"
        if location.startswith("s3://") and options:
            self._fs, self.root = _s3_filesystem(location, options)
        elif "://" in location and not location.startswith("file://"):
            from pyarrow import fs

            self._fs, self.root = fs.FileSystem.from_uri(location)
        else:
            self._fs = None
            self.root = os.path.abspath(location[len("file://"):] if location.startswith("file://")
                                        else location)

    def join(self, *parts: str) -> str:
        return "/".join((self.root.rstrip("/"),) + parts)

    def at(self, root: str) -> "_Files":
        """The same filesystem rooted at another path of it."""
        other = _Files.__new__(_Files)
        other.__dict__.update(self.__dict__, root=root,
                              location=root if self._fs is None else f"{self.scheme}://{root}")
        return other

    def parent(self, path: str) -> str:
        return os.path.dirname(path.rstrip("/")) if self._fs is None else path.rstrip("/").rsplit("/", 1)[0]

    def identity(self, path: str) -> str:
        """The canonical name of a folder, which its checkpoints' key is derived from."""
        if self._fs is None:
            return "file://" + os.path.realpath(path)
        return f"{self.scheme}://{path.strip('/')}"

    def write(self, path: str, data: bytes, atomic: bool = False) -> None:
        if self._fs is not None:
            # Object stores make a whole object visible at once: no rename needed. Objects
            # get the bucket's default access (private unless its policy says otherwise).
            with self._fs.open_output_stream(path) as stream:
                stream.write(data)
            return
        _make_private_dirs(os.path.dirname(path))
        target = path + ".tmp" if atomic else path
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), 0o600)  # an existing file keeps its mode otherwise
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if atomic:
            os.replace(target, path)
            directory = os.open(os.path.dirname(path), os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)

    def read(self, path: str) -> bytes:
        if self._fs is not None:
            with self._fs.open_input_stream(path) as stream:
                return stream.read()
        with open(path, "rb") as file:
            return file.read()

    def exists(self, path: str) -> bool:
        if self._fs is not None:
            from pyarrow import fs

            return self._fs.get_file_info(path).type != fs.FileType.NotFound
        return os.path.exists(path)

    def list_folders(self) -> List[str]:
        if self._fs is not None:
            from pyarrow import fs

            infos = self._fs.get_file_info(fs.FileSelector(self.root, allow_not_found=True))
            return [info.base_name for info in infos if info.type == fs.FileType.Directory]
        if not os.path.isdir(self.root):
            return []
        return [name for name in os.listdir(self.root) if os.path.isdir(os.path.join(self.root, name))]

    def remove_folder(self, path: str) -> None:
        if self._fs is not None:
            self._fs.delete_dir(path)
        else:
            shutil.rmtree(path, ignore_errors=True)

    def remove_file(self, path: str) -> None:
        if self._fs is not None:
            self._fs.delete_file(path)
        else:
            os.remove(path)


@dataclass
class CompletedCheckpoint:
    """A verified checkpoint or savepoint, states not yet unpickled."""

    checkpoint_id: int
    path: str
    metadata: Dict[str, Any]
    # operator key -> {"parallelism", "max_parallelism", "name", "states": {subtask: bytes}}
    operators: Dict[str, Dict[str, Any]]
    # whose key it verified with: DIRECTORY_SCOPE, SAVEPOINT_SCOPE, or None (written before
    # keys were derived: the master key)
    scope: Optional[str] = DIRECTORY_SCOPE

    def states_of(self, operator_key: str) -> Optional[Dict[str, Any]]:
        """{subtask: state} of one operator, unpickled (payloads were verified on load)."""
        operator = self.operators.get(operator_key)
        if operator is None:
            return None
        return {subtask: cloudpickle.loads(payload) for subtask, payload in operator["states"].items()}

    def state_entries(self, operator_key: str, state_name: str) -> Dict[Tuple[Any, Any], Any]:
        """{(key, namespace): value} of one keyed state of one operator, over all subtasks,
        decoded with the serializer that wrote it (for tools and tests)."""
        from fluvial.datastream._state_serialization import SerializedState

        entries: Dict[Tuple[Any, Any], Any] = {}
        for state in (self.states_of(operator_key) or {}).values():
            for parts in state["keyed"].values():
                table = parts.get("tables", {}).get(state_name)
                if table is not None:
                    values = table[1]
                    entries.update(values.decode(state_name) if isinstance(values, SerializedState)
                                   else values)
        return entries


class CheckpointStorage:
    """Writes and reads the checkpoints of one job under 'location' (or, with
    savepoints=True, the savepoints written into 'location')."""

    def __init__(self, location: str, key: Optional[bytes] = None,
                 options: Optional[Dict[str, str]] = None, savepoints: bool = False,
                 files: Optional[_Files] = None):
        self.location = location
        # Filesystem options (Flink's s3.* keys), for savepoints written next to it too.
        self.options = dict(options or {})
        self._files = files if files is not None else _Files(location, self.options)
        self._master = key if key is not None else checkpoint_key()
        self.identity = self._files.identity(self._files.root)
        self._scope = SAVEPOINT_SCOPE if savepoints else DIRECTORY_SCOPE
        self._key = self._key_of(self._scope, self.identity)

    def _key_of(self, scope: Optional[str], directory: str) -> bytes:
        if scope is None:  # written before keys were derived
            return self._master
        return derived_key(self._master, scope, directory if scope == DIRECTORY_SCOPE else "")

    # ------------------------------------------------------------ writing

    def folder(self, checkpoint_id: int) -> str:
        return self._files.join(f"chk-{checkpoint_id}")

    def write_state(self, folder: str, file_name: str, payload: bytes) -> Dict[str, Any]:
        """Writes one state file; returns its entry for the metadata."""
        data = MAGIC + _mac(self._key, payload) + payload
        self._files.write(folder + "/" + file_name, data)
        return {"file": file_name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    def write_metadata(self, folder: str, metadata: Dict[str, Any]) -> None:
        """Writes _metadata last, atomically: the checkpoint exists from then on."""
        metadata = dict(metadata, directory=self.identity)
        body = json.dumps(metadata, sort_keys=True).encode("utf-8")
        document = {"body": metadata, "hmac": _mac(self._key, body).hex(), "scope": self._scope}
        self._files.write(folder + "/" + METADATA, json.dumps(document).encode("utf-8"),
                          atomic=True)

    def record_completed(self, checkpoint_id: int) -> None:
        """Records in DIR/_latest that checkpoint 'checkpoint_id' completed; written after
        its _metadata and before any sink commits its output."""
        recorded = self._recorded_latest_or_none()
        if recorded is not None and recorded >= checkpoint_id:
            return
        self._files.write(self._files.join(LATEST), json.dumps(
            {"checkpoint_id": checkpoint_id, "hmac": self._latest_mac(checkpoint_id)}).encode("utf-8"),
            atomic=True)

    def _latest_mac(self, checkpoint_id: int) -> str:
        return _mac(self._key, f"{LATEST}\0{checkpoint_id}".encode("utf-8")).hex()

    def recorded_latest(self) -> Optional[int]:
        """The id DIR/_latest records (None without one); raises CorruptCheckpointError if it
        is damaged or forged."""
        path = self._files.join(LATEST)
        try:
            document = json.loads(self._files.read(path))
            checkpoint_id = int(document["checkpoint_id"])
            expected = str(document["hmac"])
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as error:
            problem = f"is not a valid record of the latest checkpoint ({error})"
        else:
            if hmac.compare_digest(self._latest_mac(checkpoint_id), expected):
                return checkpoint_id
            problem = "fails its HMAC check (tampered, or written with another key or in another directory)"
        raise CorruptCheckpointError(
            f"{path} {problem}. It records the newest completed checkpoint so that a deleted one "
            f"is noticed; restore it, or delete it if the newest chk-N folder with a {METADATA} "
            f"in {self.location} is known to be the newest completed checkpoint (see "
            f"{CORRUPT_CHECKPOINTS_DOCS})")

    def _recorded_latest_or_none(self) -> Optional[int]:
        try:
            return self.recorded_latest()
        except CorruptCheckpointError:
            return None  # rewritten by the next completed checkpoint

    def discard(self, folder: str) -> None:
        # _metadata first: a folder half deleted (the process killed meanwhile) is then
        # incomplete, skipped, rather than a completed checkpoint with files missing.
        try:
            self._files.remove_file(folder.rstrip("/") + "/" + METADATA)
        except OSError:
            pass
        self._files.remove_folder(folder)

    def discard_all(self) -> None:
        """Deletes every checkpoint and the _latest record (savepoints stay); the record
        first, so that an interrupted deletion leaves no checkpoint that looks lost."""
        try:
            self._files.remove_file(self._files.join(LATEST))
        except OSError:
            pass
        for checkpoint_id in self.checkpoint_ids():
            self.discard(self.folder(checkpoint_id))

    def checkpoint_ids(self) -> List[int]:
        """Ids of every chk-N folder, complete or not, oldest first."""
        ids = []
        for name in self._files.list_folders():
            match = _CHECKPOINT_FOLDER.match(name)
            if match:
                ids.append(int(match.group(1)))
        return sorted(ids)

    def is_complete(self, checkpoint_id: int) -> bool:
        """Whether chk-N has its _metadata (it completed; it may still be damaged)."""
        return self._files.exists(self.folder(checkpoint_id) + "/" + METADATA)

    def retain(self, keep: int) -> None:
        """Deletes all but the newest 'keep' complete checkpoints (and older partial ones)."""
        complete = [i for i in self.checkpoint_ids() if self.is_complete(i)]
        kept = set(complete[-keep:]) if keep > 0 else set()
        newest_kept = max(kept) if kept else 0
        for checkpoint_id in self.checkpoint_ids():
            if checkpoint_id not in kept and checkpoint_id < newest_kept:
                self.discard(self.folder(checkpoint_id))

    # ------------------------------------------------------------ reading

    def load(self, folder: str, named: bool = False) -> CompletedCheckpoint:
        """Reads and verifies the checkpoint or savepoint in 'folder'; raises
        CorruptCheckpointError naming the file at fault. A checkpoint verifies with the key
        of the directory holding it, or, when the user 'named' its folder (like a
        savepoint), of the directory it says it was written in: a moved one is accepted
        then, never when a job picks its checkpoint from a directory."""
        folder = folder.rstrip("/")
        metadata_path = folder + "/" + METADATA
        try:
            document = json.loads(self._files.read(metadata_path))
            metadata = document["body"]
            expected = bytes.fromhex(document["hmac"])
            scope = document.get("scope")
            if scope not in (None, DIRECTORY_SCOPE, SAVEPOINT_SCOPE):
                raise ValueError(f"unknown key scope {scope!r}")
        except FileNotFoundError:
            if self._files.exists(folder):
                raise CorruptCheckpointError(
                    f"{metadata_path} is missing: the checkpoint never completed (the process "
                    f"stopped while writing it), or its {METADATA} was deleted") from None
            raise CorruptCheckpointError(f"{folder} is missing") from None
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise CorruptCheckpointError(f"{metadata_path} is not valid checkpoint metadata: "
                                         f"{error}") from None
        directory = self._files.identity(self._files.parent(folder))
        written_in = metadata.get("directory") if isinstance(metadata, dict) else None
        if named and isinstance(written_in, str):
            directory = written_in  # unverified until the HMAC below checks out with its key
        key = self._key_of(scope, directory)
        body = json.dumps(metadata, sort_keys=True).encode("utf-8")
        if not hmac.compare_digest(_mac(key, body), expected):
            if scope == DIRECTORY_SCOPE and written_in and written_in != directory:
                raise CorruptCheckpointError(
                    f"{metadata_path}: HMAC mismatch: the checkpoint says it was written in "
                    f"{written_in}, and a job takes checkpoints from its directory only if they "
                    f"were written there (their key is derived from it); resume from this one by "
                    f"naming its folder (`fluvial run --from-checkpoint {folder} job.py`), or "
                    f"move it back")
            raise CorruptCheckpointError(f"{metadata_path}: HMAC mismatch (tampered, or written "
                                         f"with another key)")
        if scope is None:
            message = (f"{folder} was written before Fluvial bound checkpoints to their directory: "
                       f"it verifies with the checkpoint key itself")
            logger.warning(message)
            warnings.warn(message, RuntimeWarning, stacklevel=3)
        operators: Dict[str, Dict[str, Any]] = {}
        for operator_key, operator in metadata["operators"].items():
            states = {}
            for entry in operator["files"]:
                path = folder + "/" + entry["file"]
                try:
                    data = self._files.read(path)
                except FileNotFoundError:
                    raise CorruptCheckpointError(f"{path} is missing") from None
                if len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
                    raise CorruptCheckpointError(
                        f"{path}: checksum mismatch (expected {entry['size']} bytes with SHA-256 "
                        f"{entry['sha256'][:16]}..., found {len(data)} bytes)")
                header = len(MAGIC) + 32
                if data[:len(MAGIC)] != MAGIC:
                    raise CorruptCheckpointError(f"{path} is not a Fluvial state file")
                payload = data[header:]
                if not hmac.compare_digest(_mac(key, payload), data[len(MAGIC):header]):
                    raise CorruptCheckpointError(f"{path}: HMAC mismatch (tampered state)")
                states[int(entry["subtask"])] = payload
            operators[operator_key] = dict(operator, states=states)
        return CompletedCheckpoint(int(metadata["checkpoint_id"]), folder, metadata, operators, scope)

    def _load_checkpoint(self, checkpoint_id: int) -> CompletedCheckpoint:
        """load() of chk-N, which must be a checkpoint of this directory with that id."""
        folder = self.folder(checkpoint_id)
        checkpoint = self.load(folder)
        if checkpoint.metadata.get("savepoint") or checkpoint.scope == SAVEPOINT_SCOPE:
            raise CorruptCheckpointError(f"{folder}/{METADATA} describes a savepoint, not a "
                                         f"checkpoint of this directory")
        if checkpoint.checkpoint_id != checkpoint_id:
            raise CorruptCheckpointError(f"{folder}/{METADATA} describes checkpoint "
                                         f"{checkpoint.checkpoint_id}, not {checkpoint_id}")
        return checkpoint

    def latest(self, min_id: int = 0) -> Optional[CompletedCheckpoint]:
        """The newest completed checkpoint (of those with id >= 'min_id'), verified; None if
        there is none. Incomplete newer ones (no _metadata, above the id _latest records)
        are skipped; a completed one that is corrupt or lost raises
        NewestCheckpointUnusableError, never falls back (see the module docstring)."""
        recorded = self.recorded_latest()
        if recorded is not None and recorded < min_id:
            recorded = None
        ids = [i for i in self.checkpoint_ids() if i >= min_id]
        if recorded is not None and recorded not in ids:
            self._refuse(recorded, f"was completed (recorded in {self._files.join(LATEST)}) but its "
                                   f"folder {self.folder(recorded)} is missing")
        for checkpoint_id in reversed(ids):
            if not self.is_complete(checkpoint_id):
                if recorded is not None and checkpoint_id <= recorded:
                    self._refuse(checkpoint_id, f"was completed (recorded in {self._files.join(LATEST)}) "
                                                f"but its {METADATA} is missing")
                logger.info("skipping checkpoint %d in %s: it never completed", checkpoint_id,
                            self.location)
                continue
            try:
                return self._load_checkpoint(checkpoint_id)
            except CorruptCheckpointError as error:
                problem = str(error)
            self._refuse(checkpoint_id, f"is corrupt: {problem}")  # outside: no chained traceback
        return None

    def _refuse(self, checkpoint_id: int, reason: str) -> None:
        older = []
        for candidate in self.checkpoint_ids():
            if candidate < checkpoint_id and self.is_complete(candidate):
                try:
                    older.append(self._load_checkpoint(candidate).path)
                except CorruptCheckpointError:
                    pass
        raise NewestCheckpointUnusableError(self.location, checkpoint_id, self.folder(checkpoint_id),
                                            reason, older)

    def newest_completed(self) -> Optional[int]:
        """The id of the newest checkpoint known to have completed (by _latest or by its
        _metadata), without verifying it; None if none."""
        complete = [i for i in self.checkpoint_ids() if self.is_complete(i)]
        candidates = complete + [i for i in [self._recorded_latest_or_none()] if i is not None]
        return max(candidates) if candidates else None

    def savepoint_folder(self, checkpoint_id: int) -> str:
        return self._files.join(f"savepoint-{time.strftime('%Y%m%d-%H%M%S')}-{checkpoint_id}")


def open_restore_path(path: str, options: Optional[Dict[str, str]] = None
                      ) -> Tuple[CheckpointStorage, CompletedCheckpoint]:
    """Resolves a --from-checkpoint / --from-savepoint path: a checkpoint or savepoint
    folder (with _metadata), or a checkpoint directory (its latest complete checkpoint).
    'options': Flink's s3.* configuration keys, for s3:// paths.

    A chk-N folder older than its directory's newest completed checkpoint is the explicit
    way to resume from an older checkpoint: it is accepted, with a warning that output
    committed after it is written again."""
    storage = CheckpointStorage(path, options=options)
    files = storage._files
    name = files.root.rstrip("/").rsplit("/", 1)[-1]
    if files.exists(files.root.rstrip("/") + "/" + METADATA) or \
            _CHECKPOINT_FOLDER.match(name) or _SAVEPOINT_FOLDER.match(name):
        checkpoint = storage.load(files.root, named=True)
        match = _CHECKPOINT_FOLDER.match(name)
        if match and not checkpoint.metadata.get("savepoint"):
            _warn_if_older(files, int(match.group(1)), options)
        return storage, checkpoint
    latest = storage.latest()
    if latest is None:
        raise CorruptCheckpointError(f"no complete checkpoint in {path}: expected a folder with "
                                     f"a {METADATA} file, or a checkpoint directory holding chk-N "
                                     f"folders")
    return storage, latest


def _warn_if_older(files: _Files, checkpoint_id: int, options: Optional[Dict[str, str]]) -> None:
    parent = files.at(files.parent(files.root))
    directory = CheckpointStorage(parent.location, options=options, files=parent)
    newest = directory.newest_completed()
    if newest is not None and newest > checkpoint_id:
        message = (f"resuming from checkpoint {checkpoint_id} of {directory.location}, older than its "
                   f"newest completed checkpoint {newest}: output committed after checkpoint "
                   f"{checkpoint_id} is written again (duplicates), as requested")
        logger.warning(message)
        warnings.warn(message, RuntimeWarning, stacklevel=3)
