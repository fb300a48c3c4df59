#pragma once

#include <Python.h>

#include <cstdint>

namespace fluvial::python {

/// Returns a hash of a key that is the same in every process and run (unlike
/// Python's hash() of str, which is salted per process), so a key keeps its
/// key group across restarts, savepoints and worker processes.
///
/// Keys that Python considers equal hash equally: 1, 1.0 and True alike.
/// Covers None, bool, int, float, str, bytes and tuples (Row included) of
/// these; any other object falls back to its own __hash__, which is stable
/// only if the type makes it so. Sets a Python error and returns false if
/// the key is unhashable (GIL held).
bool StableHash(PyObject* key, uint64_t* hash);

}  // namespace fluvial::python
