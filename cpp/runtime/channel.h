#pragma once

#include "runtime/mailbox.h"
#include "runtime/stream_message.h"

namespace fluvial::runtime {

/// The sending end of one channel from a subtask to a receiving subtask: the
/// one seam between the engine and how messages travel. In one process a
/// LocalChannel pushes into the receiver's mailbox; a process-to-process or
/// network transport implements the same interface.
class OutputChannel {
 public:
  virtual ~OutputChannel() = default;
  /// Sends 'message' (its input and channel fields are filled in here); may
  /// wait for space — that wait is the backpressure. Returns false if the
  /// receiver is gone (the job is being cancelled).
  virtual bool Send(StreamMessage message) = 0;
};

/// A channel inside one process: straight into the receiver's mailbox.
class LocalChannel : public OutputChannel {
 public:
  LocalChannel(Mailbox* mailbox, int input_index, int channel_id)
      : mailbox_(mailbox), input_index_(input_index), channel_id_(channel_id) {}

  bool Send(StreamMessage message) override {
    message.input = input_index_;
    message.channel = channel_id_;
    return mailbox_->Push(std::move(message));
  }

 private:
  Mailbox* mailbox_;
  int input_index_;
  int channel_id_;
};

}  // namespace fluvial::runtime
