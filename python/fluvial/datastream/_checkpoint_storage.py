"""Checkpoint storage: a directory (local, ``file://`` or any URI Arrow's filesystem layer
opens, such as ``s3://``) holding one folder per checkpoint.

Layout::

    DIR/chk-7/_metadata           what the checkpoint holds, written last (temp + rename)
    DIR/chk-7/op-3-0.state        operator 3, subtask 0: MAGIC, HMAC-SHA256, pickled state
    DIR/savepoint-<time>-<id>/    a savepoint: the same layout, never deleted by Fluvial

Every state file carries an HMAC (SHA-256) of its payload and the metadata lists each
file's size and SHA-256; the metadata carries its own HMAC. Nothing is unpickled before
both check out, so a corrupt, partial or tampered checkpoint is refused (and the previous
complete one used) instead of being loaded.

The HMAC key comes from the environment variable FLUVIAL_CHECKPOINT_KEY when set (any
string), otherwise from ``$XDG_CONFIG_HOME/fluvial/checkpoint.key`` (default
``~/.config/fluvial/checkpoint.key``), 32 random bytes created with mode 0600 on first use.
Every process that restores a checkpoint must use the key that wrote it.
"""

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import shutil
import time
import warnings
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import cloudpickle

from fluvial.errors import FluvialError, InvalidJobError

logger = logging.getLogger("fluvial.checkpoint")

MAGIC = b"FLUVIAL-STATE-1\n"
METADATA = "_metadata"
KEY_ENVIRONMENT_VARIABLE = "FLUVIAL_CHECKPOINT_KEY"
_CHECKPOINT_FOLDER = re.compile(r"^chk-(\d+)$")


class CorruptCheckpointError(FluvialError):
    """A checkpoint or savepoint is incomplete, damaged or was not written with this key."""


def checkpoint_key() -> bytes:
    """The HMAC key for checkpoint files (see the module docstring for where it comes from)."""
    configured = os.environ.get(KEY_ENVIRONMENT_VARIABLE)
    if configured:
        return configured.encode("utf-8")
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    path = os.path.join(base, "fluvial", "checkpoint.key")
    try:
        with open(path, "rb") as file:
            key = file.read()
        if len(key) >= 16:
            return key
        raise CorruptCheckpointError(f"checkpoint key file {path} holds {len(key)} bytes, expected 32")
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return checkpoint_key()
    with os.fdopen(descriptor, "wb") as file:
        file.write(key)
        file.flush()
        os.fsync(file.fileno())
    return key


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


class _Files:
    """The few file operations storage needs, on a local path or through pyarrow.fs."""

    def __init__(self, location: str, options: Optional[Dict[str, str]] = None):
        self.location = location
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

    def write(self, path: str, data: bytes, atomic: bool = False) -> None:
        if self._fs is not None:
            # Object stores make a whole object visible at once: no rename needed.
            with self._fs.open_output_stream(path) as stream:
                stream.write(data)
            return
        os.makedirs(os.path.dirname(path), exist_ok=True)
        target = path + ".tmp" if atomic else path
        with open(target, "wb") as file:
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


@dataclass
class CompletedCheckpoint:
    """A verified checkpoint or savepoint, states not yet unpickled."""

    checkpoint_id: int
    path: str
    metadata: Dict[str, Any]
    # operator key -> {"parallelism", "max_parallelism", "name", "states": {subtask: bytes}}
    operators: Dict[str, Dict[str, Any]]

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
    """Writes and reads the checkpoints of one job under 'location'."""

    def __init__(self, location: str, key: Optional[bytes] = None,
                 options: Optional[Dict[str, str]] = None):
        self.location = location
        # Filesystem options (Flink's s3.* keys), for savepoints written next to it too.
        self.options = dict(options or {})
        self._files = _Files(location, self.options)
        self._key = key if key is not None else checkpoint_key()

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
        body = json.dumps(metadata, sort_keys=True).encode("utf-8")
        document = {"body": metadata, "hmac": _mac(self._key, body).hex()}
        self._files.write(folder + "/" + METADATA, json.dumps(document).encode("utf-8"),
                          atomic=True)

    def discard(self, folder: str) -> None:
        self._files.remove_folder(folder)

    def checkpoint_ids(self) -> List[int]:
        """Ids of every chk-N folder, complete or not, oldest first."""
        ids = []
        for name in self._files.list_folders():
            match = _CHECKPOINT_FOLDER.match(name)
            if match:
                ids.append(int(match.group(1)))
        return sorted(ids)

    def retain(self, keep: int) -> None:
        """Deletes all but the newest 'keep' complete checkpoints (and older partial ones)."""
        complete = [i for i in self.checkpoint_ids() if self._files.exists(self.folder(i) + "/" + METADATA)]
        kept = set(complete[-keep:]) if keep > 0 else set()
        newest_kept = max(kept) if kept else 0
        for checkpoint_id in self.checkpoint_ids():
            if checkpoint_id not in kept and checkpoint_id < newest_kept:
                self.discard(self.folder(checkpoint_id))

    # ------------------------------------------------------------ reading

    def load(self, folder: str) -> CompletedCheckpoint:
        """Reads and verifies the checkpoint or savepoint in 'folder'; raises
        CorruptCheckpointError naming the file at fault."""
        metadata_path = folder.rstrip("/") + "/" + METADATA
        try:
            document = json.loads(self._files.read(metadata_path))
            metadata = document["body"]
            expected = bytes.fromhex(document["hmac"])
        except FileNotFoundError:
            raise CorruptCheckpointError(f"{folder} has no {METADATA}: the checkpoint never "
                                         f"completed") from None
        except (ValueError, KeyError, TypeError) as error:
            raise CorruptCheckpointError(f"{metadata_path} is not valid checkpoint metadata: "
                                         f"{error}") from None
        body = json.dumps(metadata, sort_keys=True).encode("utf-8")
        if not hmac.compare_digest(_mac(self._key, body), expected):
            raise CorruptCheckpointError(f"{metadata_path}: HMAC mismatch (tampered, or written "
                                         f"with another key)")
        operators: Dict[str, Dict[str, Any]] = {}
        for operator_key, operator in metadata["operators"].items():
            states = {}
            for entry in operator["files"]:
                path = folder.rstrip("/") + "/" + entry["file"]
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
                if not hmac.compare_digest(_mac(self._key, payload), data[len(MAGIC):header]):
                    raise CorruptCheckpointError(f"{path}: HMAC mismatch (tampered state)")
                states[int(entry["subtask"])] = payload
            operators[operator_key] = dict(operator, states=states)
        return CompletedCheckpoint(int(metadata["checkpoint_id"]), folder, metadata, operators)

    def latest(self) -> Optional[CompletedCheckpoint]:
        """The newest complete, intact checkpoint; a corrupt or partial newer one is
        skipped with a warning."""
        for checkpoint_id in reversed(self.checkpoint_ids()):
            folder = self.folder(checkpoint_id)
            if not self._files.exists(folder + "/" + METADATA):
                continue  # never completed (the process died while writing it)
            try:
                return self.load(folder)
            except CorruptCheckpointError as error:
                message = (f"checkpoint {checkpoint_id} in {self.location} cannot be used "
                           f"({error}); falling back to the previous one")
                logger.warning(message)
                warnings.warn(message, RuntimeWarning, stacklevel=2)
        return None

    def savepoint_folder(self, checkpoint_id: int) -> str:
        return self._files.join(f"savepoint-{time.strftime('%Y%m%d-%H%M%S')}-{checkpoint_id}")


def open_restore_path(path: str, options: Optional[Dict[str, str]] = None
                      ) -> Tuple[CheckpointStorage, CompletedCheckpoint]:
    """Resolves a --from-checkpoint / --from-savepoint path: a checkpoint or savepoint
    folder (with _metadata), or a checkpoint directory (its latest complete checkpoint).
    'options': Flink's s3.* configuration keys, for s3:// paths."""
    storage = CheckpointStorage(path, options=options)
    files = storage._files
    if files.exists(files.root.rstrip("/") + "/" + METADATA):
        return storage, storage.load(files.root)
    latest = storage.latest()
    if latest is None:
        raise CorruptCheckpointError(f"no complete checkpoint in {path}: expected a folder with "
                                     f"a {METADATA} file, or a checkpoint directory holding chk-N "
                                     f"folders")
    return storage, latest
