#pragma once

// Thin C++ owners of librdkafka handles: a consumer that reads assigned
// partitions between a start and an optional stop offset, and a producer with
// delivery reports and transactions. No Python here: the bindings
// (cpp/bindings/bind_kafka.cc) release the interpreter lock around every call
// that waits on the network.

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/errors.h"

namespace fluvial::connectors::kafka {

/// Raised for every failure reported by librdkafka or the broker; its message
/// names the brokers, topic and partition involved and what to check.
class KafkaError : public UserError {
 public:
  using UserError::UserError;
};

/// Client properties in librdkafka's names, applied in order.
using Properties = std::vector<std::pair<std::string, std::string>>;

/// One partition and an offset (or a timestamp, for OffsetsForTimes).
struct TopicPartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

/// A partition to read from 'start' up to, not including, 'stop' (-1: no end).
struct PartitionRange {
  std::string topic;
  int32_t partition = 0;
  int64_t start = 0;
  int64_t stop = -1;
};

/// Messages fetched in one call; destroys them (and frees librdkafka's
/// buffers) when it goes away.
class MessageBatch {
 public:
  MessageBatch() = default;
  MessageBatch(const MessageBatch&) = delete;
  MessageBatch& operator=(const MessageBatch&) = delete;
  ~MessageBatch();

  size_t size() const { return messages_.size(); }
  const rd_kafka_message_t* at(size_t index) const { return messages_[index]; }
  void Add(rd_kafka_message_t* message) { messages_.push_back(message); }
  /// Destroys the messages now: librdkafka cannot close a consumer while any live.
  void Release();

 private:
  std::vector<rd_kafka_message_t*> messages_;
};

/// What consumers and producers share: the handle, metadata, the admin calls
/// tests and benchmarks use, and errors reported through librdkafka's error
/// callback (kept until the next call throws them).
class KafkaClient {
 public:
  KafkaClient(const KafkaClient&) = delete;
  KafkaClient& operator=(const KafkaClient&) = delete;
  virtual ~KafkaClient();

  /// Returns every topic's partition count; throws if no broker answers in time.
  std::map<std::string, int32_t> ListTopics(int timeout_ms);
  /// Returns the partition count of 'topic'; throws if it does not exist.
  int32_t PartitionCount(const std::string& topic, int timeout_ms);
  void CreateTopic(const std::string& topic, int32_t partitions, int timeout_ms);
  void DeleteTopic(const std::string& topic, int timeout_ms);

  const std::string& brokers() const { return brokers_; }
  const std::string& role() const { return role_; }

 protected:
  KafkaClient() = default;
  /// Creates the handle; derived constructors call it so ConfigureCallbacks dispatches.
  void Create(const std::string& role, rd_kafka_type_t type, const Properties& properties);

  /// Throws the first fatal error the error callback recorded, if any.
  void ThrowPendingError();
  /// A message prefix naming the client: "Kafka consumer (bootstrap.servers=...)".
  std::string Describe() const;

  rd_kafka_t* handle_ = nullptr;
  std::string role_;
  std::string brokers_;
  int default_timeout_ms_ = 30000;
  std::string pending_error_;
  std::string last_transport_error_;

 private:
  static void OnError(rd_kafka_t* handle, int error, const char* reason, void* opaque);
  virtual void ConfigureCallbacks(rd_kafka_conf_t* conf) {}
};

/// Reads a set of assigned partitions (Flink's KafkaSource assigns partitions
/// itself; the group id is only where offsets are committed).
class KafkaConsumer : public KafkaClient {
 public:
  explicit KafkaConsumer(const Properties& properties);
  ~KafkaConsumer() override;

  /// Adds partitions to read; a range whose stop is at or before its start is finished.
  void Assign(const std::vector<PartitionRange>& ranges);
  /// Waits up to 'timeout_ms' for a first message, then takes what else is ready,
  /// at most 'max_messages'. Messages at or past a partition's stop are dropped.
  std::unique_ptr<MessageBatch> Consume(size_t max_messages, int timeout_ms);
  /// Returns the next offset to read of every assigned partition.
  std::vector<TopicPartitionOffset> Positions() const;
  /// Returns whether every assigned partition has a stop offset and reached it.
  bool Finished() const;
  /// Returns the split (the partition's index in assignment order, which never
  /// changes) of every message of 'batch', for watermarks per partition.
  std::vector<int32_t> SplitsOf(const MessageBatch& batch);
  /// Returns the splits still being read (assigned and not finished).
  std::vector<int32_t> ActiveSplits() const;
  /// Returns the group's committed offsets (-1001 where none) for the partitions.
  std::vector<TopicPartitionOffset> Committed(std::vector<TopicPartitionOffset> partitions,
                                              int timeout_ms);
  /// Returns the first offset whose timestamp is at or after each entry's offset
  /// field (a timestamp in ms), or -1 where there is none.
  std::vector<TopicPartitionOffset> OffsetsForTimes(std::vector<TopicPartitionOffset> partitions,
                                                    int timeout_ms);
  /// Returns the low and high watermark (the last stable offset under read_committed).
  std::pair<int64_t, int64_t> WatermarkOffsets(const std::string& topic, int32_t partition,
                                               int timeout_ms);
  /// Commits the offsets to the group, synchronously.
  void Commit(const std::vector<TopicPartitionOffset>& offsets);
  void Close();

 private:
  struct Split {
    std::string topic;
    int32_t partition;
    int64_t next;
    int64_t stop;
    bool finished;
  };
  Split* FindSplit(const char* topic, int32_t partition);
  void Stop(Split& split);

  rd_kafka_queue_t* queue_ = nullptr;
  std::vector<Split> splits_;
  size_t last_split_ = 0;
  bool closed_ = false;
};

/// Writes messages; delivery failures are kept and thrown by the next call.
/// With a transactional.id, messages go into transactions.
class KafkaProducer : public KafkaClient {
 public:
  explicit KafkaProducer(const Properties& properties);
  ~KafkaProducer() override;

  /// Queues one message; returns false if the local queue is full (poll, then retry).
  bool TryProduce(const std::string& topic, int32_t partition, const char* key, size_t key_size,
                  const char* value, size_t value_size, int64_t timestamp);
  /// Serves delivery reports for up to 'timeout_ms'; throws a failed delivery.
  void Poll(int timeout_ms);
  /// Waits until every queued message is delivered; throws a failed delivery or a timeout.
  void Flush(int timeout_ms);
  void InitTransactions(int timeout_ms);
  void BeginTransaction();
  void CommitTransaction(int timeout_ms);
  void AbortTransaction(int timeout_ms);
  /// Adds 'offsets' of consumer group 'group_id' to the open transaction: they become
  /// the group's committed offsets if and only if the transaction commits.
  void SendOffsetsToTransaction(const std::vector<TopicPartitionOffset>& offsets,
                                const std::string& group_id, int timeout_ms);
  const std::string& transactional_id() const { return transactional_id_; }

 private:
  static void OnDelivery(rd_kafka_t* handle, const rd_kafka_message_t* message, void* opaque);
  void ConfigureCallbacks(rd_kafka_conf_t* conf) override;
  void ThrowDeliveryError();
  void ThrowTransactionError(rd_kafka_error_t* error, const char* what);

  std::string transactional_id_;
  std::string delivery_error_;
  int64_t failed_deliveries_ = 0;
};

}  // namespace fluvial::connectors::kafka
