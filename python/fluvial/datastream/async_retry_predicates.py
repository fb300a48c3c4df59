"""Ready-made retry predicates for AsyncRetryStrategy (PyFlink's
pyflink.datastream.async_retry_predicates); bind the extra argument with functools.partial.

Examples:
    >>> import functools
    >>> from fluvial.datastream import async_retry_predicates as predicates
    >>> predicates.empty_result_predicate([]), predicates.has_exception_predicate(None)
    (True, False)
    >>> on_timeout = functools.partial(predicates.exception_type_predicate, expected_error_type=TimeoutError)
    >>> on_timeout(TimeoutError()), on_timeout(ValueError())
    (True, False)
"""

__all__ = ["empty_result_predicate", "exception_type_predicate", "has_exception_predicate"]


def empty_result_predicate(result: list) -> bool:
    """Retry when the attempt gave no output.

    Examples:
        >>> from fluvial.datastream.async_retry_predicates import empty_result_predicate
        >>> empty_result_predicate([]), empty_result_predicate(["answer"])
        (True, False)
    """
    return result is None or len(result) == 0


def has_exception_predicate(error) -> bool:
    """Retry on any exception.

    Examples:
        >>> from fluvial.datastream.async_retry_predicates import has_exception_predicate
        >>> has_exception_predicate(ConnectionError()), has_exception_predicate(None)
        (True, False)
    """
    return error is not None


def exception_type_predicate(error, expected_error_type) -> bool:
    """Retry on exceptions of 'expected_error_type'.

    Examples:
        >>> from fluvial.datastream.async_retry_predicates import exception_type_predicate
        >>> exception_type_predicate(TimeoutError(), TimeoutError), exception_type_predicate(KeyError(), TimeoutError)
        (True, False)
    """
    return isinstance(error, expected_error_type)
