#pragma once

// A batch of plain integers for testing the runtime without any interpreter.
#include <vector>

#include "runtime/batch.h"

namespace fluvial::runtime::testing {

class IntBatch : public Batch {
 public:
  explicit IntBatch(std::vector<int64_t> values = {}) : values(std::move(values)) {}
  size_t size() const override { return values.size(); }
  std::vector<int64_t> values;

 protected:
  std::unique_ptr<Batch> SelectRecords(const std::vector<uint32_t>& indices) const override {
    auto selected = std::make_unique<IntBatch>();
    for (uint32_t index : indices) selected->values.push_back(values[index]);
    return selected;
  }
  std::unique_ptr<Batch> ShareRecords() const override { return std::make_unique<IntBatch>(values); }
};

}  // namespace fluvial::runtime::testing
