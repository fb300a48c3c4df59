// Arrow C++ is linked from the pinned pyarrow wheel; the columnar (Table/SQL)
// path builds on it. This reports the version the module was linked with so
// the Python side can check it against the pyarrow it runs with.
#include <arrow/config.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "table/arrow_python.h"
#include "table/key_hash.h"

namespace py = pybind11;

namespace fluvial::bindings {

void BindArrow(py::module_& module) {
  module.def(
      "arrow_version", [] { return arrow::GetBuildInfo().version_string; },
      "Returns the version of the Arrow C++ library this module is linked with.");
  module.def(
      "table_key_groups",
      [](py::handle batch, int max_parallelism) {
        auto data = fluvial::table::ImportRecordBatch(batch);
        std::vector<int> columns(static_cast<size_t>(data->num_columns()));
        for (size_t i = 0; i < columns.size(); ++i) columns[i] = static_cast<int>(i);
        return fluvial::table::KeyGroupsOf(*data, columns, max_parallelism);
      },
      py::arg("batch"), py::arg("max_parallelism"),
      "Returns the key group of every row of a record batch by all its columns, as the Table/SQL "
      "keyed exchange computes it.");
}

}  // namespace fluvial::bindings
