#include "python/object_batch.h"
#include "python/python_error.h"
#include "python/python_operator.h"

namespace fluvial::python {
namespace {

/// Keeps the records for which call(record) is true, compacting in place.
class FilterOperator : public PythonOperator {
 public:
  explicit FilterOperator(const py::dict& spec) : PythonOperator(spec), call_(spec["call"]) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    ObjectBatch& objects = AsObjectBatch(*batch);
    objects.ClearKeys();
    PyObject* call = call_.ptr();
    const bool timed = !objects.timestamps.empty();
    size_t kept = 0;
    for (size_t i = 0; i < objects.records.size(); ++i) {
      PyObject* record = objects.records[i];
      PyObject* verdict = PyObject_CallOneArg(call, record);
      if (verdict == nullptr) {
        // Keep the batch consistent before unwinding: drop what was decided.
        CompactAfterFailure(objects, kept, i);
        ThrowPythonError();
      }
      int keep = PyObject_IsTrue(verdict);
      Py_DECREF(verdict);
      if (keep < 0) {
        CompactAfterFailure(objects, kept, i);
        ThrowPythonError();
      }
      if (keep) {
        if (timed) objects.timestamps[kept] = objects.timestamps[i];
        objects.records[kept++] = record;
      } else {
        Py_DECREF(record);
      }
    }
    objects.records.resize(kept);
    if (timed) objects.timestamps.resize(kept);
    if (kept > 0) out.Collect(std::move(batch));
  }

 private:
  // Records [kept, next) were moved or released; the rest are still owned.
  static void CompactAfterFailure(ObjectBatch& objects, size_t kept, size_t next) {
    objects.records.erase(objects.records.begin() + static_cast<long>(kept),
                          objects.records.begin() + static_cast<long>(next));
  }

  py::object call_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeFilterOperator(const py::dict& spec) {
  return std::make_unique<FilterOperator>(spec);
}

}  // namespace fluvial::python
