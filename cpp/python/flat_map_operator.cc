#include "python/object_batch.h"
#include "python/output_gatherer.h"
#include "python/python_error.h"
#include "python/python_operator.h"

namespace fluvial::python {
namespace {

/// Calls call(record) and emits every element of what it returns or yields
/// (None emits nothing); `(OutputTag, value)` elements go to side outputs.
/// Outputs keep the timestamp of the record they came from.
class FlatMapOperator : public PythonOperator {
 public:
  explicit FlatMapOperator(const py::dict& spec)
      : PythonOperator(spec), call_(spec["call"]), gatherer_(spec) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    ObjectBatch& objects = AsObjectBatch(*batch);
    PyObject* call = call_.ptr();
    const bool timed = !objects.timestamps.empty();
    for (size_t i = 0; i < objects.records.size(); ++i) {
      PyObject* result = PyObject_CallOneArg(call, objects.records[i]);
      if (result == nullptr) ThrowPythonError();
      gatherer_.AddAll(result, timed ? objects.timestamps[i] : runtime::kMinWatermark);
    }
    gatherer_.Emit(out);
  }

 private:
  py::object call_;
  OutputGatherer gatherer_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeFlatMapOperator(const py::dict& spec) {
  return std::make_unique<FlatMapOperator>(spec);
}

}  // namespace fluvial::python
