"""SlotSharingGroup and MemorySize: the resource profile PyFlink lets an operator group ask for.

Fluvial runs every operator of a job in one process, so slot sharing groups do not change
where an operator runs; the classes are here so programs that name or build them run
unchanged, and they keep what was set so it can be read back.

Examples:
    >>> from fluvial.datastream.slot_sharing_group import MemorySize, SlotSharingGroup
    >>> group = SlotSharingGroup.builder("heavy").set_cpu_cores(1.0).set_task_heap_memory_mb(100).build()
    >>> group.get_name(), group.get_cpu_cores(), group.get_task_heap_memory().get_mebi_bytes()
    ('heavy', 1.0, 100)
"""

from typing import Dict, Optional

_MEBI = 1 << 20


class MemorySize:
    """A number of bytes, with Flink's unit accessors (``MemorySize.of_mebi_bytes(64)``).

    Examples:
        >>> size = MemorySize.of_mebi_bytes(64)
        >>> size.get_bytes(), size.get_kibi_bytes(), size < MemorySize.of_mebi_bytes(128)
        (67108864, 65536, True)
    """

    def __init__(self, bytes_size: int):
        if bytes_size < 0:
            raise ValueError(f"MemorySize: bytes must be >= 0, got {bytes_size}")
        self._bytes = int(bytes_size)

    @staticmethod
    def of_mebi_bytes(mebi_bytes: int) -> "MemorySize":
        return MemorySize(mebi_bytes * _MEBI)

    def get_bytes(self) -> int:
        return self._bytes

    def get_kibi_bytes(self) -> int:
        return self._bytes >> 10

    def get_mebi_bytes(self) -> int:
        return self._bytes >> 20

    def get_gibi_bytes(self) -> int:
        return self._bytes >> 30

    def get_tebi_bytes(self) -> int:
        return self._bytes >> 40

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MemorySize) and self._bytes == other._bytes

    def __hash__(self) -> int:
        return hash(self._bytes)

    def __lt__(self, other: "MemorySize") -> bool:
        return self._bytes < other._bytes

    def __le__(self, other: "MemorySize") -> bool:
        return self._bytes <= other._bytes

    def __str__(self) -> str:
        return f"{self._bytes} bytes"


class SlotSharingGroup:
    """A named group of operators and the resources it asks for (built with ``builder(name)``).

    Examples:
        >>> group = SlotSharingGroup.builder("light").set_cpu_cores(0.5).build()
        >>> group.get_name(), group.get_cpu_cores(), group.get_managed_memory()
        ('light', 0.5, None)
    """

    def __init__(self, name: str, cpu_cores: Optional[float] = None,
                 task_heap_memory: Optional[MemorySize] = None, task_off_heap_memory: Optional[MemorySize] = None,
                 managed_memory: Optional[MemorySize] = None, external_resources: Optional[Dict[str, float]] = None):
        self._name = name
        self._cpu_cores = cpu_cores
        self._task_heap_memory = task_heap_memory
        self._task_off_heap_memory = task_off_heap_memory
        self._managed_memory = managed_memory
        self._external_resources = dict(external_resources or {})

    def get_name(self) -> str:
        return self._name

    def get_managed_memory(self) -> Optional[MemorySize]:
        return self._managed_memory

    def get_task_heap_memory(self) -> Optional[MemorySize]:
        return self._task_heap_memory

    def get_task_off_heap_memory(self) -> Optional[MemorySize]:
        return self._task_off_heap_memory

    def get_cpu_cores(self) -> Optional[float]:
        return self._cpu_cores

    def get_external_resources(self) -> Dict[str, float]:
        return dict(self._external_resources)

    @staticmethod
    def builder(name: str) -> "SlotSharingGroup.Builder":
        return SlotSharingGroup.Builder(name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SlotSharingGroup) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash(self._name)

    class Builder:
        def __init__(self, name: str):
            self._settings: Dict[str, object] = {"name": name, "external_resources": {}}

        def set_cpu_cores(self, cpu_cores: float) -> "SlotSharingGroup.Builder":
            if cpu_cores <= 0:
                raise ValueError(f"SlotSharingGroup: cpu_cores must be > 0, got {cpu_cores}")
            self._settings["cpu_cores"] = float(cpu_cores)
            return self

        def set_task_heap_memory(self, task_heap_memory: MemorySize) -> "SlotSharingGroup.Builder":
            self._settings["task_heap_memory"] = task_heap_memory
            return self

        def set_task_heap_memory_mb(self, task_heap_memory_mb: int) -> "SlotSharingGroup.Builder":
            return self.set_task_heap_memory(MemorySize.of_mebi_bytes(task_heap_memory_mb))

        def set_task_off_heap_memory(self, task_off_heap_memory: MemorySize) -> "SlotSharingGroup.Builder":
            self._settings["task_off_heap_memory"] = task_off_heap_memory
            return self

        def set_task_off_heap_memory_mb(self, task_off_heap_memory_mb: int) -> "SlotSharingGroup.Builder":
            return self.set_task_off_heap_memory(MemorySize.of_mebi_bytes(task_off_heap_memory_mb))

        def set_managed_memory(self, managed_memory: MemorySize) -> "SlotSharingGroup.Builder":
            self._settings["managed_memory"] = managed_memory
            return self

        def set_managed_memory_mb(self, managed_memory_mb: int) -> "SlotSharingGroup.Builder":
            return self.set_managed_memory(MemorySize.of_mebi_bytes(managed_memory_mb))

        def set_external_resource(self, name: str, value: float) -> "SlotSharingGroup.Builder":
            self._settings["external_resources"][name] = float(value)  # type: ignore[index]
            return self

        def build(self) -> "SlotSharingGroup":
            return SlotSharingGroup(**self._settings)  # type: ignore[arg-type]


__all__ = ["MemorySize", "SlotSharingGroup"]
