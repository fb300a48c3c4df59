#include "common/errors.h"
#include "python/object_batch.h"
#include "python/python_error.h"
#include "python/python_operator.h"
#include "python/stable_hash.h"
#include "runtime/key_groups.h"

namespace fluvial::python {
namespace {

/// Runs before a keyed exchange: extracts each record's key with the user's
/// key selector once, keeps it with the record for the keyed operator on the
/// other side, and stores where the record goes in the batch's routing
/// values — the key group (key_by) or the target subtask (partition_custom).
class KeyAssigner : public PythonOperator {
 public:
  KeyAssigner(const py::dict& spec, bool custom_partition)
      : PythonOperator(spec),
        key_selector_(spec["key_selector"]),
        custom_partition_(custom_partition) {
    if (custom_partition_) {
      partition_ = spec["partition"];
      num_partitions_ = spec["num_partitions"].cast<int>();
    } else {
      max_parallelism_ = spec["max_parallelism"].cast<int>();
    }
  }

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    ObjectBatch& objects = AsObjectBatch(*batch);
    objects.ClearKeys();
    objects.keys.reserve(objects.records.size());
    objects.routing.reserve(objects.records.size());
    PyObject* key_selector = key_selector_.ptr();
    for (PyObject* record : objects.records) {
      PyObject* key = PyObject_CallOneArg(key_selector, record);
      if (key == nullptr) ThrowPythonError();
      objects.keys.push_back(key);
      objects.routing.push_back(custom_partition_ ? Partition(key) : KeyGroup(key));
    }
    out.Collect(std::move(batch));
  }

 private:
  uint32_t KeyGroup(PyObject* key) const {
    uint64_t hash;
    if (!StableHash(key, &hash)) ThrowPythonError();
    return runtime::KeyGroupForHash(hash, max_parallelism_);
  }

  uint32_t Partition(PyObject* key) const {
    PyObject* result = PyObject_CallFunction(partition_.ptr(), "Oi", key, num_partitions_);
    if (result == nullptr) ThrowPythonError();
    long partition = PyLong_AsLong(result);
    Py_DECREF(result);
    if (partition == -1 && PyErr_Occurred()) ThrowPythonError();
    FLUVIAL_USER_CHECK(partition >= 0 && partition < num_partitions_,
                       "the custom partitioner must return a partition in [0, ", num_partitions_,
                       "), got ", partition);
    return static_cast<uint32_t>(partition);
  }

  py::object key_selector_;
  bool custom_partition_;
  py::object partition_;
  int num_partitions_ = 1;
  int max_parallelism_ = runtime::kDefaultMaxParallelism;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeKeyAssigner(const py::dict& spec, bool custom_partition) {
  return std::make_unique<KeyAssigner>(spec, custom_partition);
}

}  // namespace fluvial::python
