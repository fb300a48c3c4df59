"""OutputTag: names a side output of an operator (PyFlink's pyflink.datastream.OutputTag).

A function emits to it with ``yield tag, value``; ``stream.get_side_output(tag)``
is the stream of those values.
"""

from typing import Optional

from fluvial.common.typeinfo import TypeInformation

__all__ = ["OutputTag"]


class OutputTag:
    """Names a side output: a function emits to it with ``yield tag, value``.

    Examples:
        >>> from fluvial.common import Types
        >>> from fluvial.datastream import OutputTag, ProcessFunction, StreamExecutionEnvironment
        >>> negative = OutputTag("negative", Types.INT())
        >>> class Split(ProcessFunction):
        ...     def process_element(self, value, ctx):
        ...         yield (negative, value) if value < 0 else value
        >>> env = StreamExecutionEnvironment.get_execution_environment()
        >>> main = env.from_collection([1, -2, 3, -4]).process(Split(), output_type=Types.INT())
        >>> list(main.get_side_output(negative).execute_and_collect())
        [-2, -4]
    """

    def __init__(self, tag_id: str, type_info: Optional[TypeInformation] = None):
        if not isinstance(tag_id, str) or not tag_id:
            raise ValueError(f"OutputTag needs a non-empty str id, got {tag_id!r}")
        self.tag_id = tag_id
        self.type_info = type_info

    def __eq__(self, other) -> bool:
        return isinstance(other, OutputTag) and other.tag_id == self.tag_id

    def __hash__(self) -> int:
        return hash(("OutputTag", self.tag_id))

    def __repr__(self) -> str:
        return f"OutputTag({self.tag_id!r})"
