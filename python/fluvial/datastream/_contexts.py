"""The contexts and timer services the keyed_process operator hands to keyed,
two-input and broadcast functions.

A context object is made once per operator subtask and reused for every call: it
reads the current timestamp, key and time domain from the cell the engine writes
before each call (see _keyed.py), so a call costs no new objects.
"""

from typing import Any, Callable

from fluvial.datastream._keyed import KEY, KEY_GROUP, TIME_DOMAIN, TIMESTAMP, KeyedRuntime
from fluvial.datastream.functions import (
    BroadcastProcessFunction,
    CoProcessFunction,
    KeyedBroadcastProcessFunction,
    KeyedCoProcessFunction,
    KeyedProcessFunction,
    ProcessFunction,
)
from fluvial.datastream.time_domain import TimeDomain
from fluvial.datastream.timerservice import TimerService
from fluvial.errors import InvalidJobError

# Indexed by the cell's time-domain slot (0 event time, 1 processing time).
_TIME_DOMAINS = (TimeDomain.EVENT_TIME, TimeDomain.PROCESSING_TIME)


class EngineTimerService(TimerService):
    """Forwards to the operator's fluvial._core.TimerService, which registers timers for
    the key being processed. The engine binds it after this object is made, hence the
    lookup through the runtime."""

    # The engine's methods this service hands straight through once bound: per-record
    # calls then skip this class's own frame.
    _passed_through = ("current_processing_time", "current_watermark",
                       "register_processing_time_timer", "register_event_time_timer",
                       "delete_processing_time_timer", "delete_event_time_timer")

    def __init__(self, runtime: KeyedRuntime):
        self._runtime = runtime
        runtime.on_timer_service(self._bind)

    def _bind(self, handle) -> None:
        for name in self._passed_through:
            setattr(self, name, getattr(handle, name))

    def current_processing_time(self) -> int:
        return self._runtime.timer_service.current_processing_time()

    def current_watermark(self) -> int:
        return self._runtime.timer_service.current_watermark()

    def register_processing_time_timer(self, timestamp: int) -> None:
        self._runtime.timer_service.register_processing_time_timer(timestamp)

    def register_event_time_timer(self, timestamp: int) -> None:
        self._runtime.timer_service.register_event_time_timer(timestamp)

    def delete_processing_time_timer(self, timestamp: int) -> None:
        self._runtime.timer_service.delete_processing_time_timer(timestamp)

    def delete_event_time_timer(self, timestamp: int) -> None:
        self._runtime.timer_service.delete_event_time_timer(timestamp)


class UnkeyedTimerService(EngineTimerService):
    """The timer service of a two-input function on streams that are not keyed: it tells
    time, but timers belong to a key."""

    _passed_through = ("current_processing_time", "current_watermark")

    def register_processing_time_timer(self, timestamp: int) -> None:
        self._refuse()

    def register_event_time_timer(self, timestamp: int) -> None:
        self._refuse()

    def delete_processing_time_timer(self, timestamp: int) -> None:
        self._refuse()

    def delete_event_time_timer(self, timestamp: int) -> None:
        self._refuse()

    @staticmethod
    def _refuse() -> None:
        raise InvalidJobError(
            "timers need a keyed stream: key both connected streams with "
            "connect(...).key_by(key_selector1, key_selector2) and use a KeyedCoProcessFunction")


class StreamTimerService(UnkeyedTimerService):
    """The timer service of a ProcessFunction on a stream that is not keyed."""

    @staticmethod
    def _refuse() -> None:
        raise InvalidJobError(
            "timers need a keyed stream: use stream.key_by(...).process(KeyedProcessFunction) "
            "instead of a ProcessFunction on a stream that is not keyed")


# ---------------------------------------------------------------- building blocks


class _Base:
    def __init__(self, runtime: KeyedRuntime, timers: EngineTimerService, broadcast=None,
                 keyed_state=None):
        self._runtime = runtime
        self._cell = runtime.cell
        self._timers = timers
        self._broadcast = broadcast
        self._keyed_state = keyed_state

    def timestamp(self):
        return self._cell[TIMESTAMP]

    def timer_service(self) -> TimerService:
        return self._timers


class _Keyed(_Base):
    def get_current_key(self) -> Any:
        return self._cell[KEY]

    def time_domain(self) -> TimeDomain:
        """The firing timer's domain (None while an element is processed)."""
        domain = self._cell[TIME_DOMAIN]
        return None if domain is None else _TIME_DOMAINS[domain]


class _Clocks(_Base):
    def current_processing_time(self) -> int:
        return self._timers.current_processing_time()

    def current_watermark(self) -> int:
        return self._timers.current_watermark()


class _ReadsBroadcastState(_Clocks):
    def get_broadcast_state(self, state_descriptor):
        return self._broadcast.get(state_descriptor, writable=False)


class _WritesBroadcastState(_Clocks):
    def get_broadcast_state(self, state_descriptor):
        return self._broadcast.get(state_descriptor, writable=True)


# ---------------------------------------------------------------- the contexts


class KeyedProcessContext(_Keyed, KeyedProcessFunction.OnTimerContext, ProcessFunction.Context):
    """For KeyedProcessFunction (and a ProcessFunction on a KeyedStream), elements and timers."""


class KeyedCoProcessContext(_Keyed, KeyedCoProcessFunction.OnTimerContext, CoProcessFunction.Context):
    """For KeyedCoProcessFunction (and a CoProcessFunction on keyed connected streams)."""


class ProcessContext(_Base, ProcessFunction.Context):
    """For a ProcessFunction on a stream that is not keyed (its timer service tells time only)."""


class CoProcessContext(_Base, CoProcessFunction.Context):
    """For CoProcessFunction on streams that are not keyed (its timer service refuses timers)."""


class BroadcastReadOnlyContext(_ReadsBroadcastState, BroadcastProcessFunction.ReadOnlyContext):
    pass


class BroadcastContext(_WritesBroadcastState, BroadcastProcessFunction.Context):
    pass


class KeyedBroadcastReadOnlyContext(_Keyed, _ReadsBroadcastState,
                                    KeyedBroadcastProcessFunction.OnTimerContext):
    """For process_element() and on_timer() of a KeyedBroadcastProcessFunction."""


class KeyedBroadcastContext(_WritesBroadcastState, KeyedBroadcastProcessFunction.Context):
    """For process_broadcast_element() of a KeyedBroadcastProcessFunction."""

    def apply_to_keyed_state(self, state_descriptor, function: Callable[[Any, Any], None]) -> None:
        """Calls function(key, state) for every key of this subtask that has that state,
        with the state pointed at that key."""
        store = self._keyed_state
        state = store.state_of(state_descriptor)
        cell = self._cell
        saved = cell[KEY], cell[KEY_GROUP]
        try:
            for key_group, key in store.keys_with_state(state_descriptor):
                self._runtime.with_key(key, key_group)
                function(key, state)
        finally:
            self._runtime.with_key(*saved)
