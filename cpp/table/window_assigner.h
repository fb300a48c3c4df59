#pragma once

// The windows of the window table functions (TUMBLE, HOP, CUMULATE) a row at
// a given time belongs to: shared by the window aggregation, the window table
// function on its own and the window join.
#include <cstdint>
#include <string>

#include "common/errors.h"

namespace fluvial::table {

class WindowAssigner {
 public:
  /// 'kind' is tumble, hop or cumulate; for hop 'slide' is the slide, for cumulate the step.
  WindowAssigner(std::string kind, int64_t size, int64_t slide, int64_t offset)
      : kind_(std::move(kind)), size_(size), slide_(slide), offset_(offset) {
    if (size_ <= 0 || slide_ <= 0) throw UserError("window size and slide must be positive");
    if (kind_ != "tumble" && kind_ != "hop" && kind_ != "cumulate") {
      throw UserError("unknown window kind '" + kind_ + "'");
    }
  }

  /// Calls visit(start, end) for every window holding 'timestamp'.
  template <typename Visit>
  void ForEachWindow(int64_t timestamp, Visit visit) const {
    if (kind_ == "tumble") {
      const int64_t start = timestamp - FloorMod(timestamp - offset_, size_);
      visit(start, start + size_);
    } else if (kind_ == "hop") {
      // Every window of 'size' starting at a multiple of 'slide' that holds the row.
      for (int64_t start = timestamp - FloorMod(timestamp - offset_, slide_); start > timestamp - size_;
           start -= slide_) {
        visit(start, start + size_);
      }
    } else {
      // Cumulate: windows [start, start + k*step) of the max window holding the row.
      const int64_t start = timestamp - FloorMod(timestamp - offset_, size_);
      for (int64_t end = start + slide_; end <= start + size_; end += slide_) {
        if (end > timestamp) visit(start, end);
      }
    }
  }

 private:
  static int64_t FloorMod(int64_t value, int64_t divisor) {
    const int64_t remainder = value % divisor;
    return remainder < 0 ? remainder + divisor : remainder;
  }

  std::string kind_;
  int64_t size_;
  int64_t slide_;
  int64_t offset_;
};

}  // namespace fluvial::table
