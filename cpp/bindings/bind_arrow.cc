// Arrow C++ is linked from the pinned pyarrow wheel; the columnar (Table/SQL)
// path builds on it. This reports the version the module was linked with so
// the Python side can check it against the pyarrow it runs with.
#include <arrow/config.h>
#include <pybind11/pybind11.h>

namespace py = pybind11;

namespace fluvial::bindings {

void BindArrow(py::module_& module) {
  module.def(
      "arrow_version", [] { return arrow::GetBuildInfo().version_string; },
      "Returns the version of the Arrow C++ library this module is linked with.");
}

}  // namespace fluvial::bindings
