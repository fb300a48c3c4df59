"""What a job run needs to survive failures: its checkpoint settings and storage, its restart
strategy, and where it resumes from (a savepoint, ``--from-checkpoint``, or the latest
complete checkpoint in the configured directory)."""

import logging
import shutil
import tempfile
import warnings
from typing import Optional

from fluvial.datastream._checkpoint_storage import (
    CheckpointStorage,
    CompletedCheckpoint,
    open_restore_path,
)
from fluvial.datastream._checkpointing import (
    CheckpointCoordinator,
    CheckpointSettings,
    CheckpointStatistics,
    instrument,
)

logger = logging.getLogger("fluvial.checkpoint")

_cli_restore_path: Optional[str] = None


def set_default_restore_path(path: Optional[str]) -> None:
    """Used by `fluvial run --from-checkpoint/--from-savepoint`: every job of the run resumes
    from 'path' unless its configuration names another (execution.savepoint.path)."""
    global _cli_restore_path
    _cli_restore_path = path


def default_restore_path() -> Optional[str]:
    return _cli_restore_path


class Recovery:
    """Checkpoints and restarts of one job run (all its attempts)."""

    def __init__(self, settings: Optional[CheckpointSettings], restart_strategy,
                 restore: Optional[CompletedCheckpoint], temporary_dir: Optional[str]):
        self.settings = settings
        self.exactly_once = settings.exactly_once if settings is not None else True
        self._policy = restart_strategy._new_policy() if restart_strategy is not None else None
        self._initial_restore = restore
        self._temporary_dir = temporary_dir
        self._attempts = 0
        self._first_id: Optional[int] = None  # the first checkpoint id of this run
        self.statistics = CheckpointStatistics()

    @staticmethod
    def create(config, restart_strategy, restore_path: Optional[str]) -> Optional["Recovery"]:
        """None when the job needs none of it (no checkpointing, restarts or restore)."""
        enabled = config.is_checkpointing_enabled()
        if not enabled and restart_strategy is None and restore_path is None:
            return None
        settings = None
        temporary_dir = None
        restore = None
        if enabled or restore_path is not None:
            directory = config.get_checkpoint_storage_dir()
            if directory is None:
                # Without a directory checkpoints still serve restarts in this process.
                temporary_dir = directory = tempfile.mkdtemp(prefix="fluvial-checkpoints-")
            options = getattr(config, "_storage_options", {})
            storage = CheckpointStorage(directory, options=options)
            settings = CheckpointSettings(
                interval_ms=config.get_checkpoint_interval() if enabled else 0,
                exactly_once=config.get_checkpointing_mode().name == "EXACTLY_ONCE",
                timeout_ms=config.get_checkpoint_timeout(),
                min_pause_ms=config.get_min_pause_between_checkpoints(),
                max_concurrent=config.get_max_concurrent_checkpoints(),
                tolerable_failures=config.get_tolerable_checkpoint_failure_number(),
                retained=config.get_max_retained_checkpoints(),
                storage=storage,
                delete_on_cancel=config.get_externalized_checkpoint_cleanup().name != "RETAIN_ON_CANCELLATION")
            if restore_path is not None:
                _, restore = open_restore_path(restore_path, options)
            elif temporary_dir is None:
                # A killed run of this job resumes where it stopped; a corrupt or lost newest
                # checkpoint raises NewestCheckpointUnusableError instead of falling back.
                restore = storage.latest()
                if restore is not None:
                    # Resuming commits the sinks' output of 'restore': make sure _latest
                    # covers it (the process may have died between _metadata and _latest).
                    storage.record_completed(restore.checkpoint_id)
            if restore is not None:
                logger.info("resuming from %s (checkpoint %d)", restore.path, restore.checkpoint_id)
                if restore.metadata.get("final"):
                    message = (f"{restore.path} is the final checkpoint of a job that finished: "
                               f"resuming from it produces nothing more (use another checkpoint "
                               f"directory to run the job again)")
                    logger.warning(message)
                    warnings.warn(message, RuntimeWarning, stacklevel=2)
        return Recovery(settings, restart_strategy, restore, temporary_dir)

    def prepare_attempt(self, nodes: list):
        """The nodes to run (instrumented for checkpoints) and the attempt's coordinator."""
        self._attempts += 1
        if self.settings is None:
            return nodes, None
        storage = self.settings.storage
        restore = self._initial_restore
        if self._attempts > 1:
            # The newest checkpoint this run completed (older ones in the directory, such as
            # a corrupt one the run was told to resume before, are not this run's business).
            restore = storage.latest(min_id=self._first_id) or restore
        if restore is not None:
            self.statistics.restored_from = restore.checkpoint_id
        # Above every id used in the directory, the one _latest records included (its folder
        # may be gone, and a new chk-N with that id must not look like the one recorded).
        known = storage.checkpoint_ids() + [storage.newest_completed() or 0]
        first_id = max(known + [restore.checkpoint_id if restore else 0]) + 1
        if self._first_id is None:
            self._first_id = first_id
        coordinator = CheckpointCoordinator(self.settings, nodes, first_id, self.statistics)
        return instrument(nodes, coordinator, restore), coordinator

    def next_restart_delay(self) -> Optional[float]:
        return None if self._policy is None else self._policy.next_delay()

    def job_ended(self, cancelled: bool) -> None:
        if self._temporary_dir is not None:
            shutil.rmtree(self._temporary_dir, ignore_errors=True)
        elif cancelled and self.settings is not None and self.settings.delete_on_cancel:
            self.settings.storage.discard_all()
