// The one native extension module, fluvial._core. Each area binds itself in
// its own bind_<area>.cc; exceptions raised while building a job are
// translated here, once.
#include <pybind11/pybind11.h>

#include "common/errors.h"
#include "python/python_error.h"
#include "python/stable_hash.h"
#include "runtime/key_groups.h"

namespace py = pybind11;

namespace fluvial::bindings {
void BindJob(py::module_& module);
void BindArrow(py::module_& module);
void BindKafka(py::module_& module);
}

PYBIND11_MODULE(_core, module) {
  module.doc() = "Fluvial's native engine (internal: use the fluvial package).";

  static py::exception<fluvial::UserError> user_error(module, "UserError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr pointer) {
    try {
      if (pointer) std::rethrow_exception(pointer);
    } catch (const fluvial::python::PythonError& error) {
      // A Python exception raised while building the job: re-raise it whole.
      PyObject* value = error.NewReference();
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(value)), value);
      Py_DECREF(value);
    } catch (const fluvial::UserError& error) {
      py::set_error(user_error, error.what());
    }
  });

  fluvial::bindings::BindJob(module);
  fluvial::bindings::BindArrow(module);
  fluvial::bindings::BindKafka(module);

  module.def(
      "key_group",
      [](py::handle key, int max_parallelism) {
        uint64_t hash;
        if (!fluvial::python::StableHash(key.ptr(), &hash)) throw py::error_already_set();
        return fluvial::runtime::KeyGroupForHash(hash, max_parallelism);
      },
      py::arg("key"), py::arg("max_parallelism") = fluvial::runtime::kDefaultMaxParallelism,
      "Returns the key group a key belongs to (stable across processes).");
}
