#include "python/object_batch.h"

#include "common/errors.h"

namespace fluvial::python {
namespace {
void DecrefAll(std::vector<PyObject*>& objects) {
  for (PyObject* object : objects) Py_DECREF(object);
  objects.clear();
}
}  // namespace

ObjectBatch::~ObjectBatch() {
  if (records.empty() && keys.empty()) return;
  PyGILState_STATE state = PyGILState_Ensure();
  DecrefAll(records);
  DecrefAll(keys);
  PyGILState_Release(state);
}

void ObjectBatch::ClearKeys() {
  DecrefAll(keys);
  routing.clear();
}

std::unique_ptr<runtime::Batch> ObjectBatch::SelectRecords(
    const std::vector<uint32_t>& indices) const {
  PyGILState_STATE state = PyGILState_Ensure();
  auto selected = std::make_unique<ObjectBatch>();
  selected->records.reserve(indices.size());
  for (uint32_t index : indices) {
    Py_INCREF(records[index]);
    selected->records.push_back(records[index]);
  }
  if (!keys.empty()) {
    selected->keys.reserve(indices.size());
    for (uint32_t index : indices) {
      Py_INCREF(keys[index]);
      selected->keys.push_back(keys[index]);
    }
  }
  PyGILState_Release(state);
  return selected;
}

std::unique_ptr<runtime::Batch> ObjectBatch::ShareRecords() const {
  PyGILState_STATE state = PyGILState_Ensure();
  auto shared = std::make_unique<ObjectBatch>();
  shared->records = records;
  shared->keys = keys;
  for (PyObject* record : records) Py_INCREF(record);
  for (PyObject* key : keys) Py_INCREF(key);
  PyGILState_Release(state);
  return shared;
}

ObjectBatch& AsObjectBatch(runtime::Batch& batch) {
  auto* objects = dynamic_cast<ObjectBatch*>(&batch);
  FLUVIAL_CHECK(objects != nullptr, "a Python operator received a batch of another kind");
  return *objects;
}

}  // namespace fluvial::python
