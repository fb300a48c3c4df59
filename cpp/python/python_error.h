#pragma once

#include <Python.h>

#include <exception>
#include <string>

namespace fluvial::python {

/// A Python exception raised inside the engine (usually in a user function),
/// kept whole, traceback included, until it reaches execute() on the
/// caller's thread.
class PythonError : public std::exception {
 public:
  /// Takes the exception currently set in the interpreter (GIL held).
  static PythonError FetchCurrent();

  PythonError(const PythonError& other);
  PythonError& operator=(const PythonError&) = delete;
  ~PythonError() override;

  const char* what() const noexcept override { return summary_.c_str(); }
  /// Returns a new reference to the exception object (GIL held).
  PyObject* NewReference() const;

 private:
  PythonError(PyObject* value, std::string summary);
  PyObject* value_;  // owned; carries __traceback__
  std::string summary_;
};

/// Throws the current Python exception as a PythonError (GIL held).
[[noreturn]] void ThrowPythonError();

}  // namespace fluvial::python
