"""The keys that authenticate checkpoint files, and who can forge a checkpoint.

A checkpoint's state files are unpickled when a job resumes, so whoever can write a file
that verifies can run code in the job's process. Every file is therefore authenticated
with an HMAC-SHA256 under a key derived from one *master key*:

- the master key comes from the environment variable FLUVIAL_CHECKPOINT_KEY (at least
  16 bytes, not a repetition of a few characters), otherwise from the key file
  ``$XDG_CONFIG_HOME/fluvial/checkpoint.key`` (default ``~/.config/fluvial/checkpoint.key``),
  32 random bytes created with mode 0600 on first use. A key file that other users can
  read or write is refused (anyone who reads it can forge checkpoints); one the owner's
  group can read is accepted with a warning.
- a checkpoint (``chk-N``) is written under the key of its *checkpoint directory*:
  HMAC(master, "directory" + the directory's canonical name), so a checkpoint of one job
  copied into another job's directory does not verify there, and one job's directory
  never makes another job load state it did not write (a checkpoint folder the user names
  explicitly is verified with the key of the directory it says it was written in, as
  a savepoint would be: an explicit choice, like resuming from a savepoint);
- a savepoint is written under the savepoint key, HMAC(master, "savepoint"): savepoints
  are moved between directories and machines on purpose, and resuming from one is always
  an explicit choice (``execution.savepoint.path``, ``--from-savepoint``).

Checkpoints written before keys were derived carry no key scope and verify with the
master key itself (accepted, with a warning: they are not bound to their directory).
"""

import hashlib
import hmac
import logging
import os
import secrets
import stat
import warnings

from fluvial.errors import FluvialError

logger = logging.getLogger("fluvial.checkpoint")

KEY_ENVIRONMENT_VARIABLE = "FLUVIAL_CHECKPOINT_KEY"
MINIMUM_KEY_BYTES = 16
# Fewer distinct bytes than this in a key of any length is a placeholder, not a secret
# ("0000000000000000", "abababab...").
MINIMUM_DISTINCT_BYTES = 6

# The key scopes a _metadata document names (its "scope" field).
DIRECTORY_SCOPE = "directory"
SAVEPOINT_SCOPE = "savepoint"


class CheckpointKeyError(FluvialError):
    """The checkpoint key is unsafe to use: too short, too simple, or readable by others."""


def key_file_path() -> str:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "fluvial", "checkpoint.key")


def _check_strength(key: bytes, source: str, fix: str) -> None:
    if len(key) < MINIMUM_KEY_BYTES:
        raise CheckpointKeyError(
            f"the checkpoint key from {source} is {len(key)} bytes long, expected at least "
            f"{MINIMUM_KEY_BYTES}: anyone who guesses it can write a checkpoint that the job "
            f"unpickles; {fix}")
    if len(set(key)) < MINIMUM_DISTINCT_BYTES:
        raise CheckpointKeyError(
            f"the checkpoint key from {source} has only {len(set(key))} distinct characters, "
            f"expected at least {MINIMUM_DISTINCT_BYTES}: it is a placeholder, not a secret; {fix}")


def _check_permissions(path: str, mode: int) -> None:
    if mode & (stat.S_IROTH | stat.S_IWOTH | stat.S_IWGRP):
        raise CheckpointKeyError(
            f"the checkpoint key file {path} has mode {stat.S_IMODE(mode):04o}: other users can "
            f"{'read' if mode & stat.S_IROTH else 'write'} it, and whoever knows the key can write "
            f"checkpoints that Fluvial unpickles; run `chmod 600 {path}` (and make a new key with "
            f"`rm {path}` if others may have read it: checkpoints written with the old one will "
            f"no longer verify)")
    if mode & stat.S_IRGRP:
        message = (f"the checkpoint key file {path} has mode {stat.S_IMODE(mode):04o}: its group "
                   f"can read it, and whoever knows the key can write checkpoints that Fluvial "
                   f"unpickles; run `chmod 600 {path}` unless that is meant")
        logger.warning(message)
        warnings.warn(message, RuntimeWarning, stacklevel=4)


def master_key() -> bytes:
    """The master key (see the module docstring for where it comes from); raises
    CheckpointKeyError for a weak key or a key file others can read."""
    configured = os.environ.get(KEY_ENVIRONMENT_VARIABLE)
    if configured:
        key = configured.encode("utf-8")
        _check_strength(key, f"the environment variable {KEY_ENVIRONMENT_VARIABLE}",
                        f"set it to a random value, e.g. `export {KEY_ENVIRONMENT_VARIABLE}="
                        f"$(python -c 'import secrets; print(secrets.token_hex(32))')`, or unset "
                        f"it to use the key file {key_file_path()}")
        return key
    path = key_file_path()
    try:
        with open(path, "rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            key = file.read()
    except FileNotFoundError:
        return _create_key_file(path)
    _check_permissions(path, mode)
    _check_strength(key, f"the key file {path}",
                    f"delete it (`rm {path}`) and Fluvial creates a random 32-byte one; "
                    f"checkpoints written with the old key will no longer verify")
    return key


def _create_key_file(path: str) -> bytes:
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return master_key()
    with os.fdopen(descriptor, "wb") as file:
        file.write(key)
        file.flush()
        os.fsync(file.fileno())
    return key


def derived_key(master: bytes, scope: str, identity: str = "") -> bytes:
    """The key of one key scope: a checkpoint directory ('identity' its canonical name), or
    all savepoints."""
    return hmac.new(master, f"fluvial checkpoint key v1\0{scope}\0{identity}".encode("utf-8"),
                    hashlib.sha256).digest()
