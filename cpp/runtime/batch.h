#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace fluvial::runtime {

/// A run of records moving between operators. The runtime never looks inside
/// the records: the object path (Python objects) and, later, the columnar path
/// (Arrow record batches) each bring their own Batch subclass.
class Batch {
 public:
  virtual ~Batch() = default;

  /// Returns the number of records.
  virtual size_t size() const = 0;

  /// Returns a new batch holding the records at 'indices', in that order,
  /// together with their routing values.
  std::unique_ptr<Batch> Select(const std::vector<uint32_t>& indices) const {
    auto selected = SelectRecords(indices);
    if (!routing.empty()) {
      selected->routing.reserve(indices.size());
      for (uint32_t index : indices) selected->routing.push_back(routing[index]);
    }
    if (!timestamps.empty()) {
      selected->timestamps.reserve(indices.size());
      for (uint32_t index : indices) selected->timestamps.push_back(timestamps[index]);
    }
    return selected;
  }

  /// Returns a batch with the same records (shared, not copied), for sending
  /// one output to several consumers.
  std::unique_ptr<Batch> Share() const {
    auto shared = ShareRecords();
    shared->routing = routing;
    shared->timestamps = timestamps;
    return shared;
  }

  /// One value per record that tells a partitioner where the record goes:
  /// the key group before a hash exchange, the target subtask before a custom
  /// partitioner. Empty when nothing upstream assigned it.
  std::vector<uint32_t> routing;

  /// The event time of each record in epoch milliseconds, or empty when the
  /// records carry none (no timestamp assigner upstream).
  std::vector<int64_t> timestamps;

 protected:
  virtual std::unique_ptr<Batch> SelectRecords(const std::vector<uint32_t>& indices) const = 0;
  virtual std::unique_ptr<Batch> ShareRecords() const = 0;
};

using BatchPtr = std::unique_ptr<Batch>;

}  // namespace fluvial::runtime
