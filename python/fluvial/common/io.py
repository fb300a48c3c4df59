"""InputFormat (PyFlink's pyflink.common.io): a file input read through
StreamExecutionEnvironment.create_input(), such as AvroInputFormat."""

from fluvial.common.typeinfo import TypeInformation

__all__ = ["InputFormat"]


class InputFormat:
    """Base of the inputs create_input() reads; each subclass builds the Source it runs on.

    Examples:
        >>> from fluvial.common.io import InputFormat
        >>> from fluvial.datastream.formats.avro import AvroInputFormat
        >>> issubclass(AvroInputFormat, InputFormat)   # read with env.create_input(AvroInputFormat(...))
        True
    """

    def get_produced_type(self) -> TypeInformation:
        raise NotImplementedError(f"{type(self).__name__} does not implement get_produced_type")

    def _create_source(self):
        """Returns the fluvial Source that reads this input."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _create_source")
