#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include "runtime/stream_message.h"

namespace fluvial::runtime {

/// The one input queue of a worker: many senders, one receiver. Bounded in
/// data batches so a slow consumer slows its producers (backpressure);
/// control messages (end of input, watermarks) never wait, so they cannot
/// deadlock a producer that is shutting down.
///
/// Thread-safe. Senders block in Push while the mailbox is full; Close wakes
/// everyone and makes further pushes fail, which is how a job is cancelled.
class Mailbox {
 public:
  explicit Mailbox(size_t capacity_batches) : capacity_(capacity_batches) {}

  /// Appends 'message', waiting while the mailbox holds 'capacity' data
  /// batches. Returns false (dropping the message) if the mailbox is closed.
  bool Push(StreamMessage message) {
    std::unique_lock lock(mutex_);
    if (message.kind == MessageKind::kData) {
      not_full_.wait(lock, [&] { return closed_ || data_count_ < capacity_; });
      if (closed_) return false;
      ++data_count_;
    } else if (closed_) {
      return false;
    }
    queue_.push_back(std::move(message));
    not_empty_.notify_one();
    return true;
  }

  /// Moves up to 'max_messages' queued messages into 'out', waiting until at
  /// least one is there, the mailbox is closed, or 'deadline' passes.
  /// Returns false once the mailbox is closed.
  bool PopAll(std::vector<StreamMessage>* out, size_t max_messages,
              std::chrono::steady_clock::time_point deadline =
                  std::chrono::steady_clock::time_point::max()) {
    std::unique_lock lock(mutex_);
    auto ready = [&] { return closed_ || !queue_.empty(); };
    if (deadline == std::chrono::steady_clock::time_point::max()) {
      not_empty_.wait(lock, ready);
    } else {
      not_empty_.wait_until(lock, deadline, ready);
    }
    if (closed_) return false;
    size_t taken = 0;
    while (!queue_.empty() && taken < max_messages) {
      if (queue_.front().kind == MessageKind::kData) --data_count_;
      out->push_back(std::move(queue_.front()));
      queue_.pop_front();
      ++taken;
    }
    if (taken > 0) not_full_.notify_all();
    return true;
  }

  /// Wakes every waiting sender and receiver; later pushes fail. Queued
  /// messages are dropped by the caller's Drain, on a thread that may free them.
  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  /// Removes and returns everything still queued (used after Close).
  std::deque<StreamMessage> Drain() {
    std::lock_guard lock(mutex_);
    data_count_ = 0;
    return std::exchange(queue_, {});
  }

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<StreamMessage> queue_;
  size_t data_count_ = 0;
  bool closed_ = false;
};

}  // namespace fluvial::runtime
