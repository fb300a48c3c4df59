"""Group windows of the Table API (``table.window(Tumble.over(...).on(...).alias("w"))``)
and OVER windows (``Over.partition_by(...)``).

Examples:
    >>> from fluvial.table.expressions import col, lit
    >>> from fluvial.table.window import Slide, Tumble
    >>> Tumble.over(lit(10).minutes).on(col("ts")).alias("w").size
    600000
    >>> Slide.over(lit(5).minutes).every(lit(30).seconds).on(col("ts")).alias("w").slide
    30000
"""

from typing import Any, Optional

from fluvial.table.expressions import Col, Expression, Interval, PlanningError


def _millis(value: Any, what: str) -> int:
    if isinstance(value, Interval):
        return value.ms
    raise PlanningError(f"{what} must be a time interval such as lit(10).minutes, got {value!r}")


class GroupWindow:
    """A group window on a time attribute, named by ``alias`` for ``group_by``.

    Examples:
        >>> from fluvial.table.expressions import col, lit
        >>> from fluvial.table.window import Tumble
        >>> w = Tumble.over(lit(1).hours).on(col("ts")).alias("w")
        >>> w.kind, w.size, w.time_field, w.alias_name
        ('tumble', 3600000, 'ts', 'w')
    """

    kind = ""

    def __init__(self, size: int, slide: Optional[int] = None):
        self.size = size
        self.slide = slide if slide is not None else size
        self.time_field: Optional[str] = None
        self.alias_name: Optional[str] = None

    def on(self, time_field: Expression) -> "GroupWindow":
        if not isinstance(time_field, Col):
            raise PlanningError(f"a window is defined on a time attribute column, got {time_field!r}")
        self.time_field = time_field.name
        return self

    def alias(self, alias: str) -> "GroupWindow":
        self.alias_name = alias
        return self


class TumbleWithSize:
    def __init__(self, size: int):
        self._size = size

    def on(self, time_field: Expression) -> GroupWindow:
        window = GroupWindow(self._size)
        window.kind = "tumble"
        return window.on(time_field)


class Tumble:
    """Tumbling windows: fixed size, no overlap.

    Examples:
        >>> from fluvial.table.expressions import col, lit
        >>> from fluvial.table.window import Tumble
        >>> Tumble.over(lit(5).minutes).on(col("ts")).alias("w").size
        300000
    """

    @staticmethod
    def over(size: Expression) -> TumbleWithSize:
        return TumbleWithSize(_millis(size, "Tumble.over"))


class SlideWithSizeAndSlide:
    def __init__(self, size: int, slide: int):
        self._size, self._slide = size, slide

    def on(self, time_field: Expression) -> GroupWindow:
        window = GroupWindow(self._size, self._slide)
        window.kind = "hop"
        return window.on(time_field)


class SlideWithSize:
    def __init__(self, size: int):
        self._size = size

    def every(self, slide: Expression) -> SlideWithSizeAndSlide:
        return SlideWithSizeAndSlide(self._size, _millis(slide, "Slide.every"))


class Slide:
    """Sliding (hopping) windows: fixed size, a new one every slide.

    Examples:
        >>> from fluvial.table.expressions import col, lit
        >>> from fluvial.table.window import Slide
        >>> w = Slide.over(lit(10).minutes).every(lit(1).minutes).on(col("ts")).alias("w")
        >>> w.kind, w.size, w.slide
        ('hop', 600000, 60000)
    """

    @staticmethod
    def over(size: Expression) -> SlideWithSize:
        return SlideWithSize(_millis(size, "Slide.over"))


class SessionWithGap:
    def __init__(self, gap: int):
        self._gap = gap

    def on(self, time_field: Expression) -> GroupWindow:
        window = GroupWindow(self._gap)
        window.kind = "session"
        return window.on(time_field)


class Session:
    """Session windows: a key's rows less than 'gap' apart share a window.

    Examples:
        >>> from fluvial.table.expressions import col, lit
        >>> from fluvial.table.window import Session
        >>> w = Session.with_gap(lit(10).minutes).on(col("ts")).alias("w")
        >>> w.kind, w.size
        ('session', 600000)
    """

    @staticmethod
    def with_gap(gap: Expression) -> SessionWithGap:
        return SessionWithGap(_millis(gap, "Session.with_gap"))


class Over:
    """OVER windows (not in the native executor yet).

    Examples:
        >>> from fluvial.table.expressions import col
        >>> from fluvial.table.window import Over
        >>> Over.partition_by(col("user"))
        Traceback (most recent call last):
        ...
        fluvial.errors.UnsupportedFeatureError: OVER windows are not supported by the Table API yet
    """

    @staticmethod
    def partition_by(*partition_by: Expression):
        from fluvial.errors import UnsupportedFeatureError

        raise UnsupportedFeatureError("OVER windows are not supported by the Table API yet")

    @staticmethod
    def order_by(order_by: Expression):
        return Over.partition_by()

__all__ = ["GroupWindow", "Over", "Session", "Slide", "Tumble"]
