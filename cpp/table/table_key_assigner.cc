// Routes rows to the subtask owning their key before a keyed table operator
// (GROUP BY at parallelism > 1): a hash of the key columns → key group.
#include "table/columnar_batch.h"
#include "table/key_hash.h"
#include "table/table_state.h"
#include "table/table_support.h"

namespace fluvial::table {
namespace {

class TableKeyAssigner : public TableOperator {
 public:
  explicit TableKeyAssigner(const py::dict& spec)
      : TableOperator(spec), columns_(IntList(spec["columns"])), max_parallelism_(spec["max_parallelism"].cast<int>()) {}

  void ProcessBatch(int, runtime::BatchPtr batch, runtime::Collector& out) override {
    auto& input = AsColumnar(*batch);
    std::vector<int32_t> groups = KeyGroupsOf(*input.data, columns_, max_parallelism_);
    input.routing.assign(groups.begin(), groups.end());
    out.Collect(std::move(batch));
  }

 private:
  std::vector<int> columns_;
  int max_parallelism_;
};

}  // namespace

std::unique_ptr<runtime::Operator> MakeTableKeyAssigner(const py::dict& spec) {
  return std::make_unique<TableKeyAssigner>(spec);
}

}  // namespace fluvial::table
