#pragma once

#include <Python.h>

#include <vector>

#include "runtime/batch.h"

namespace fluvial::python {

/// A batch on the object path: each record is a Python object, passed by
/// reference between operators and never converted.
///
/// Owns one reference to every record and key. The batch may be freed on a
/// thread that does not hold the GIL (a cancelled channel), so the
/// destructor takes it; every other method expects the caller to hold it.
class ObjectBatch : public runtime::Batch {
 public:
  ObjectBatch() = default;
  ~ObjectBatch() override;

  size_t size() const override { return records.size(); }

  /// Appends 'record', taking over the caller's reference.
  void AddStolen(PyObject* record) { records.push_back(record); }
  /// Drops the keys (and routing values) of a keyed exchange once the
  /// records they belong to are replaced.
  void ClearKeys();

  /// The records (owned references).
  std::vector<PyObject*> records;
  /// The key of each record, set by key_by for the keyed operator after the
  /// exchange; empty otherwise. Owned references.
  std::vector<PyObject*> keys;

 protected:
  std::unique_ptr<runtime::Batch> SelectRecords(const std::vector<uint32_t>& indices) const override;
  std::unique_ptr<runtime::Batch> ShareRecords() const override;
};

/// Returns 'batch' as an ObjectBatch; throws InternalError if it is not one.
ObjectBatch& AsObjectBatch(runtime::Batch& batch);

}  // namespace fluvial::python
