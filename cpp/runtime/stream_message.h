#pragma once

#include <cstdint>

#include "runtime/batch.h"

namespace fluvial::runtime {

enum class MessageKind {
  kData,
  kWatermark,
  kWatermarkStatus,  ///< 'watermark' is 1 when the channel went idle, 0 when active again
  kEndOfInput,
  /// A checkpoint barrier ('checkpoint_id'): everything before it on this
  /// channel belongs to the checkpoint, nothing after it.
  kBarrier,
  /// Checkpoint 'checkpoint_id' is complete (sent by the job, on no channel).
  kCheckpointComplete,
};

/// What travels through a channel from one subtask to another.
struct StreamMessage {
  MessageKind kind = MessageKind::kData;
  /// Which input of the receiving operator this message belongs to (0 or 1).
  int input = 0;
  /// Which upstream channel sent it, unique within the receiving mailbox; the
  /// receiver tracks end of input (and, later, watermarks) per channel.
  int channel = 0;
  BatchPtr batch;
  int64_t watermark = 0;
  int64_t checkpoint_id = 0;
};

}  // namespace fluvial::runtime
