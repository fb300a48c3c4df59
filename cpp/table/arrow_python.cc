#include "table/arrow_python.h"

#include <arrow/c/abi.h>
#include <arrow/c/bridge.h>

#include "common/errors.h"
#include "table/columnar_batch.h"

namespace fluvial::table {
namespace {

template <typename Struct>
Struct* CapsuleStruct(const py::handle& capsule, const char* name) {
  auto* pointer = static_cast<Struct*>(PyCapsule_GetPointer(capsule.ptr(), name));
  if (pointer == nullptr) throw py::error_already_set();
  return pointer;
}

void ReleaseSchemaCapsule(PyObject* capsule) {
  auto* schema = static_cast<ArrowSchema*>(PyCapsule_GetPointer(capsule, "arrow_schema"));
  if (schema == nullptr) return;
  if (schema->release != nullptr) schema->release(schema);
  delete schema;
}

void ReleaseArrayCapsule(PyObject* capsule) {
  auto* array = static_cast<ArrowArray*>(PyCapsule_GetPointer(capsule, "arrow_array"));
  if (array == nullptr) return;
  if (array->release != nullptr) array->release(array);
  delete array;
}

py::tuple CArrayCapsules(const py::handle& object) {
  if (!py::hasattr(object, "__arrow_c_array__")) {
    throw UserError(std::string("expected an Arrow record batch or array, got ") +
                    std::string(py::str(py::type::of(object).attr("__name__"))));
  }
  return object.attr("__arrow_c_array__")().cast<py::tuple>();
}

py::object PyArrow() {
  static py::object* module = new py::object(py::module_::import("pyarrow"));
  return *module;
}

}  // namespace

std::shared_ptr<arrow::RecordBatch> ImportRecordBatch(const py::handle& object) {
  py::tuple capsules = CArrayCapsules(object);
  auto* schema = CapsuleStruct<ArrowSchema>(capsules[0], "arrow_schema");
  auto* array = CapsuleStruct<ArrowArray>(capsules[1], "arrow_array");
  return ValueOrThrow(arrow::ImportRecordBatch(array, schema), "importing a record batch from Python");
}

std::shared_ptr<arrow::Array> ImportArray(const py::handle& object) {
  py::tuple capsules = CArrayCapsules(object);
  auto* schema = CapsuleStruct<ArrowSchema>(capsules[0], "arrow_schema");
  auto* array = CapsuleStruct<ArrowArray>(capsules[1], "arrow_array");
  return ValueOrThrow(arrow::ImportArray(array, schema), "importing an array from Python");
}

py::object ExportRecordBatch(const std::shared_ptr<arrow::RecordBatch>& batch) {
  auto* schema = new ArrowSchema{};
  auto* array = new ArrowArray{};
  py::capsule schema_capsule(schema, "arrow_schema", &ReleaseSchemaCapsule);
  py::capsule array_capsule(array, "arrow_array", &ReleaseArrayCapsule);
  CheckArrow(arrow::ExportRecordBatch(*batch, array, schema), "exporting a record batch to Python");
  return PyArrow().attr("RecordBatch").attr("_import_from_c_capsule")(schema_capsule, array_capsule);
}

}  // namespace fluvial::table
