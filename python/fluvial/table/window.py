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

from typing import Any, List, Optional

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


class OverWindow:
    """An OVER window: partition, time order, preceding bound (rows or an interval) and alias.

    Examples:
        >>> from fluvial.table.expressions import col, lit
        >>> from fluvial.table.window import Over
        >>> w = Over.partition_by(col("user")).order_by(col("ts")).preceding(lit(1).minutes).alias("w")
        >>> w.frame, w.bound
        ('range', 60000)
    """

    def __init__(self, partition_by: List[Expression]):
        self.partition = partition_by
        self.order: Optional[Expression] = None
        self.frame = "range"
        self.bound = -1  # rows or milliseconds; -1: unbounded
        self.alias_name: Optional[str] = None

    def order_by(self, order_by: Expression) -> "OverWindow":
        self.order = order_by
        return self

    def preceding(self, preceding: Expression) -> "OverWindow":
        from fluvial.table.expressions import RowCount

        if isinstance(preceding, RowCount):
            self.frame, self.bound = "rows", preceding.row_count
        elif isinstance(preceding, Interval):
            self.frame, self.bound = "range", preceding.ms
        else:
            raise PlanningError(f"preceding takes row_interval(n), lit(n).rows, an interval or UNBOUNDED_*, got "
                                f"{preceding!r}")
        return self

    def following(self, following: Expression) -> "OverWindow":
        """The frame's end: in a stream only the current row (CURRENT_ROW for a rows frame,
        CURRENT_RANGE for a range frame) — the default, as in Flink."""
        from fluvial.table.expressions import RowCount

        if isinstance(following, RowCount) and following.row_count == 0:
            kind = "rows"
        elif isinstance(following, Interval) and following.ms == 0:
            kind = "range"
        else:
            from fluvial.errors import UnsupportedFeatureError

            raise UnsupportedFeatureError(
                f"Over...following({following!r}): a streaming OVER window ends at the current row; use "
                f"following(CURRENT_ROW) or following(CURRENT_RANGE) (as Flink)", name="OverWindow.following")
        if kind != self.frame:
            raise PlanningError(f"Over...following: the preceding bound is a {self.frame} interval, so the "
                                f"following bound must be {'CURRENT_ROW' if self.frame == 'rows' else 'CURRENT_RANGE'}")
        return self

    def alias(self, alias: str) -> "OverWindow":
        self.alias_name = alias
        return self


class Over:
    """OVER windows of the Table API (``table.over_window(...)``).

    Examples:
        >>> from fluvial.table.expressions import col, row_interval
        >>> from fluvial.table.window import Over
        >>> w = Over.partition_by(col("user")).order_by(col("ts")).preceding(row_interval(2)).alias("w")
        >>> w.frame, w.bound, w.alias_name
        ('rows', 2, 'w')
    """

    @staticmethod
    def partition_by(*partition_by: Expression) -> OverWindow:
        return OverWindow(list(partition_by))

    @staticmethod
    def order_by(order_by: Expression) -> OverWindow:
        return OverWindow([]).order_by(order_by)


__all__ = ["GroupWindow", "Over", "OverWindow", "Session", "Slide", "Tumble"]
