#include "connectors/kafka/kafka_client.h"

#include <chrono>
#include <cstring>

namespace fluvial::connectors::kafka {
namespace {

// Properties Fluvial reads itself and never passes to librdkafka.
constexpr const char* kTimeoutProperty = "fluvial.request.timeout.ms";

using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                      decltype(&rd_kafka_topic_partition_list_destroy)>;

PartitionList MakeList(const std::vector<TopicPartitionOffset>& partitions) {
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())),
                     &rd_kafka_topic_partition_list_destroy);
  for (const auto& entry : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), entry.topic.c_str(), entry.partition)->offset =
        entry.offset;
  }
  return list;
}

std::string Where(const std::string& topic, int32_t partition) {
  return detail::Concat("topic '", topic, "' partition ", partition);
}

}  // namespace

MessageBatch::~MessageBatch() { Release(); }

void MessageBatch::Release() {
  for (auto* message : messages_) rd_kafka_message_destroy(message);
  messages_.clear();
}

KafkaClient::~KafkaClient() {
  if (handle_ != nullptr) rd_kafka_destroy(handle_);
}

void KafkaClient::Create(const std::string& role, rd_kafka_type_t type,
                         const Properties& properties) {
  role_ = role;
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char reason[512];
  for (const auto& [name, value] : properties) {
    if (name == kTimeoutProperty) {
      default_timeout_ms_ = std::stoi(value);
      continue;
    }
    if (name == "bootstrap.servers" || name == "metadata.broker.list") brokers_ = value;
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason, sizeof(reason)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw KafkaError(detail::Concat("Kafka ", role_, ": property '", name, "' = '", value,
                                      "' is not accepted: ", reason,
                                      " (Fluvial's Kafka client is librdkafka; see its "
                                      "CONFIGURATION.md for the property names)"));
    }
  }
  FLUVIAL_USER_CHECK(!brokers_.empty(), "Kafka ", role_,
                     ": no bootstrap servers: call set_bootstrap_servers('host:port')");
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_error_cb(conf, &KafkaClient::OnError);
  // librdkafka would log connection failures to stderr; they reach the user as
  // errors (OnError, then the exception of the call that fails) instead.
  rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
  ConfigureCallbacks(conf);
  handle_ = rd_kafka_new(type, conf, reason, sizeof(reason));
  if (handle_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    throw KafkaError(detail::Concat(Describe(), ": could not create the client: ", reason));
  }
}

std::string KafkaClient::Describe() const {
  return detail::Concat("Kafka ", role_, " (bootstrap.servers=", brokers_, ")");
}

void KafkaClient::OnError(rd_kafka_t* handle, int error, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaClient*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(error);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal[512];
    rd_kafka_fatal_error(handle, fatal, sizeof(fatal));
    if (self->pending_error_.empty()) self->pending_error_ = detail::Concat("fatal error: ", fatal);
  } else if (code == RD_KAFKA_RESP_ERR__AUTHENTICATION || code == RD_KAFKA_RESP_ERR__SSL) {
    if (self->pending_error_.empty()) {
      self->pending_error_ = detail::Concat(
          "authentication failed: ", reason,
          " (check security.protocol, sasl.mechanism, sasl.username/sasl.password or the SSL "
          "certificates)");
    }
  } else {
    // Transport errors are retried by librdkafka; keep the latest to explain a timeout.
    self->last_transport_error_ = reason;
  }
}

void KafkaClient::ThrowPendingError() {
  if (pending_error_.empty()) return;
  std::string message = detail::Concat(Describe(), ": ", pending_error_);
  pending_error_.clear();
  throw KafkaError(message);
}

std::map<std::string, int32_t> KafkaClient::ListTopics(int timeout_ms) {
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t error =
      rd_kafka_metadata(handle_, 1, nullptr, &metadata, timeout_ms < 0 ? default_timeout_ms_ : timeout_ms);
  ThrowPendingError();
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::string transport = last_transport_error_.empty()
                                ? std::string()
                                : detail::Concat(" (last connection error: ", last_transport_error_, ")");
    throw KafkaError(detail::Concat(
        Describe(), ": no broker answered a metadata request within ",
        timeout_ms < 0 ? default_timeout_ms_ : timeout_ms, " ms: ", rd_kafka_err2str(error), transport,
        "; check that bootstrap.servers names running brokers reachable from here"));
  }
  std::map<std::string, int32_t> topics;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const auto& topic = metadata->topics[i];
    if (topic.err == RD_KAFKA_RESP_ERR_NO_ERROR) topics[topic.topic] = topic.partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  return topics;
}

int32_t KafkaClient::PartitionCount(const std::string& topic, int timeout_ms) {
  auto topics = ListTopics(timeout_ms);
  auto found = topics.find(topic);
  if (found == topics.end()) {
    throw KafkaError(detail::Concat(Describe(), ": topic '", topic,
                                    "' does not exist; create it first or check its name"));
  }
  return found->second;
}

namespace {

// Runs one admin request on a temporary queue and returns its result event.
rd_kafka_event_t* WaitForAdminEvent(rd_kafka_queue_t* queue, int timeout_ms) {
  return rd_kafka_queue_poll(queue, timeout_ms + 1000);
}

}  // namespace

void KafkaClient::CreateTopic(const std::string& topic, int32_t partitions, int timeout_ms) {
  char reason[512];
  rd_kafka_NewTopic_t* new_topic =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, reason, sizeof(reason));
  FLUVIAL_USER_CHECK(new_topic != nullptr, Describe(), ": cannot create topic '", topic, "': ", reason);
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(handle_, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, timeout_ms, reason, sizeof(reason));
  rd_kafka_queue_t* queue = rd_kafka_queue_new(handle_);
  rd_kafka_CreateTopics(handle_, &new_topic, 1, options, queue);
  rd_kafka_event_t* event = WaitForAdminEvent(queue, timeout_ms);
  std::string failure;
  if (event == nullptr) {
    failure = "no answer in time";
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    failure = rd_kafka_event_error_string(event);
  } else {
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    for (size_t i = 0; i < count; ++i) {
      if (rd_kafka_topic_result_error(results[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        failure = rd_kafka_topic_result_error_string(results[i]);
      }
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_NewTopic_destroy(new_topic);
  if (!failure.empty()) {
    throw KafkaError(detail::Concat(Describe(), ": creating topic '", topic, "' with ", partitions,
                                    " partitions failed: ", failure));
  }
}

void KafkaClient::DeleteTopic(const std::string& topic, int timeout_ms) {
  rd_kafka_DeleteTopic_t* old_topic = rd_kafka_DeleteTopic_new(topic.c_str());
  rd_kafka_queue_t* queue = rd_kafka_queue_new(handle_);
  rd_kafka_DeleteTopics(handle_, &old_topic, 1, nullptr, queue);
  rd_kafka_event_t* event = WaitForAdminEvent(queue, timeout_ms);
  std::string failure = event == nullptr ? "no answer in time" : "";
  if (event != nullptr) {
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count);
    for (size_t i = 0; i < count; ++i) {
      if (rd_kafka_topic_result_error(results[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        failure = rd_kafka_topic_result_error_string(results[i]);
      }
    }
    rd_kafka_event_destroy(event);
  }
  rd_kafka_queue_destroy(queue);
  rd_kafka_DeleteTopic_destroy(old_topic);
  if (!failure.empty()) {
    throw KafkaError(detail::Concat(Describe(), ": deleting topic '", topic, "' failed: ", failure));
  }
}

// ---------------------------------------------------------------- consumer

KafkaConsumer::KafkaConsumer(const Properties& properties) {
  Properties all = {{"enable.auto.commit", "false"},
                    {"enable.auto.offset.store", "false"},
                    {"enable.partition.eof", "true"}};
  all.insert(all.end(), properties.begin(), properties.end());
  Create("consumer", RD_KAFKA_CONSUMER, all);
  rd_kafka_poll_set_consumer(handle_);
  queue_ = rd_kafka_queue_get_consumer(handle_);
}

KafkaConsumer::~KafkaConsumer() {
  try {
    Close();
  } catch (...) {
  }
}

void KafkaConsumer::Close() {
  if (closed_) return;
  closed_ = true;
  if (queue_ != nullptr) rd_kafka_queue_destroy(queue_);
  queue_ = nullptr;
  rd_kafka_consumer_close(handle_);
}

void KafkaConsumer::Assign(const std::vector<PartitionRange>& ranges) {
  std::vector<TopicPartitionOffset> started;
  for (const auto& range : ranges) {
    FLUVIAL_USER_CHECK(FindSplit(range.topic.c_str(), range.partition) == nullptr, Describe(),
                       ": ", Where(range.topic, range.partition), " is assigned twice");
    bool finished = range.stop >= 0 && range.start >= range.stop;
    splits_.push_back({range.topic, range.partition, range.start, range.stop, finished});
    if (!finished) started.push_back({range.topic, range.partition, range.start});
  }
  if (started.empty()) return;
  auto list = MakeList(started);
  rd_kafka_error_t* error = rd_kafka_incremental_assign(handle_, list.get());
  if (error != nullptr) {
    std::string message = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    throw KafkaError(detail::Concat(Describe(), ": assigning partitions failed: ", message));
  }
}

KafkaConsumer::Split* KafkaConsumer::FindSplit(const char* topic, int32_t partition) {
  // Messages come in runs from one partition: try the last one first.
  if (last_split_ < splits_.size()) {
    Split& last = splits_[last_split_];
    if (last.partition == partition && last.topic == topic) return &last;
  }
  for (size_t i = 0; i < splits_.size(); ++i) {
    if (splits_[i].partition == partition && splits_[i].topic == topic) {
      last_split_ = i;
      return &splits_[i];
    }
  }
  return nullptr;
}

void KafkaConsumer::Stop(Split& split) {
  split.finished = true;
  auto list = MakeList({{split.topic, split.partition, 0}});
  rd_kafka_error_t* error = rd_kafka_incremental_unassign(handle_, list.get());
  if (error != nullptr) rd_kafka_error_destroy(error);
}

std::unique_ptr<MessageBatch> KafkaConsumer::Consume(size_t max_messages, int timeout_ms) {
  ThrowPendingError();
  auto batch = std::make_unique<MessageBatch>();
  if (max_messages == 0 || Finished()) return batch;
  std::vector<rd_kafka_message_t*> fetched(max_messages);
  size_t count = 0;
  if (rd_kafka_message_t* first = rd_kafka_consume_queue(queue_, timeout_ms)) {
    fetched[0] = first;
    ssize_t more = rd_kafka_consume_batch_queue(queue_, 0, fetched.data() + 1, max_messages - 1);
    count = 1 + (more > 0 ? static_cast<size_t>(more) : 0);
  }
  std::string failure;
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_message_t* message = fetched[i];
    const char* topic = message->rkt != nullptr ? rd_kafka_topic_name(message->rkt) : nullptr;
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && topic != nullptr) {
        // The end of what the partition holds now: everything before
        // message->offset was read or is a transaction marker.
        if (Split* split = FindSplit(topic, message->partition)) {
          if (message->offset > split->next) split->next = message->offset;
          if (!split->finished && split->stop >= 0 && split->next >= split->stop) Stop(*split);
        }
      } else if (failure.empty()) {
        std::string where = topic != nullptr ? Where(topic, message->partition) : "the client";
        std::string hint;
        if (message->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
            message->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
            message->err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
          hint = "; check that the topic exists and has this partition";
        } else if (message->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
                   message->err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED) {
          hint = "; check the ACLs of this client's principal";
        } else if (message->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
          hint = "; the offset is no longer (or not yet) in the log: check the starting offsets";
        }
        failure = detail::Concat(Describe(), ": reading ", where, " failed: ",
                                 rd_kafka_message_errstr(message), hint);
      }
      rd_kafka_message_destroy(message);
      continue;
    }
    Split* split = FindSplit(topic, message->partition);
    if (split == nullptr || split->finished ||
        (split->stop >= 0 && message->offset >= split->stop)) {
      if (split != nullptr && !split->finished) Stop(*split);
      rd_kafka_message_destroy(message);
      continue;
    }
    split->next = message->offset + 1;
    if (split->stop >= 0 && split->next >= split->stop) Stop(*split);
    batch->Add(message);
  }
  if (!failure.empty()) throw KafkaError(failure);
  return batch;
}

std::vector<TopicPartitionOffset> KafkaConsumer::Positions() const {
  std::vector<TopicPartitionOffset> positions;
  positions.reserve(splits_.size());
  for (const auto& split : splits_) positions.push_back({split.topic, split.partition, split.next});
  return positions;
}

bool KafkaConsumer::Finished() const {
  for (const auto& split : splits_) {
    if (!split.finished) return false;
  }
  return true;
}

std::vector<int32_t> KafkaConsumer::SplitsOf(const MessageBatch& batch) {
  std::vector<int32_t> splits(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    const rd_kafka_message_t* message = batch.at(i);
    // Consume() keeps only messages of assigned partitions.
    Split* split = FindSplit(rd_kafka_topic_name(message->rkt), message->partition);
    FLUVIAL_CHECK(split != nullptr, "a fetched message of an unassigned partition");
    splits[i] = static_cast<int32_t>(split - splits_.data());
  }
  return splits;
}

std::vector<int32_t> KafkaConsumer::ActiveSplits() const {
  std::vector<int32_t> active;
  for (size_t i = 0; i < splits_.size(); ++i) {
    if (!splits_[i].finished) active.push_back(static_cast<int32_t>(i));
  }
  return active;
}

std::vector<TopicPartitionOffset> KafkaConsumer::Committed(
    std::vector<TopicPartitionOffset> partitions, int timeout_ms) {
  auto list = MakeList(partitions);
  rd_kafka_resp_err_t error = rd_kafka_committed(handle_, list.get(), timeout_ms);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw KafkaError(detail::Concat(Describe(), ": reading the group's committed offsets failed: ",
                                    rd_kafka_err2str(error),
                                    "; check group.id and that the broker is reachable"));
  }
  for (int i = 0; i < list->cnt; ++i) partitions[i].offset = list->elems[i].offset;
  return partitions;
}

std::vector<TopicPartitionOffset> KafkaConsumer::OffsetsForTimes(
    std::vector<TopicPartitionOffset> partitions, int timeout_ms) {
  auto list = MakeList(partitions);
  rd_kafka_resp_err_t error = rd_kafka_offsets_for_times(handle_, list.get(), timeout_ms);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw KafkaError(detail::Concat(Describe(), ": looking up offsets by timestamp failed: ",
                                    rd_kafka_err2str(error)));
  }
  for (int i = 0; i < list->cnt; ++i) {
    if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw KafkaError(detail::Concat(Describe(), ": looking up the offset of timestamp ",
                                      partitions[i].offset, " in ",
                                      Where(partitions[i].topic, partitions[i].partition),
                                      " failed: ", rd_kafka_err2str(list->elems[i].err)));
    }
    partitions[i].offset = list->elems[i].offset;
  }
  return partitions;
}

std::pair<int64_t, int64_t> KafkaConsumer::WatermarkOffsets(const std::string& topic,
                                                            int32_t partition, int timeout_ms) {
  int64_t low = 0, high = 0;
  rd_kafka_resp_err_t error =
      rd_kafka_query_watermark_offsets(handle_, topic.c_str(), partition, &low, &high, timeout_ms);
  ThrowPendingError();
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw KafkaError(detail::Concat(Describe(), ": querying the offsets of ", Where(topic, partition),
                                    " failed: ", rd_kafka_err2str(error),
                                    "; check that the topic exists and the broker is reachable"));
  }
  return {low, high};
}

void KafkaConsumer::Commit(const std::vector<TopicPartitionOffset>& offsets) {
  if (offsets.empty()) return;
  auto list = MakeList(offsets);
  rd_kafka_resp_err_t error = rd_kafka_commit(handle_, list.get(), 0);
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; ++i) {
      if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) error = list->elems[i].err;
    }
  }
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw KafkaError(detail::Concat(Describe(), ": committing offsets to the group failed: ",
                                    rd_kafka_err2str(error),
                                    "; check group.id and the group's ACLs"));
  }
}

// ---------------------------------------------------------------- producer

KafkaProducer::KafkaProducer(const Properties& properties) {
  for (const auto& [name, value] : properties) {
    if (name == "transactional.id") transactional_id_ = value;
  }
  Create("producer", RD_KAFKA_PRODUCER, properties);
}

KafkaProducer::~KafkaProducer() = default;

void KafkaProducer::ConfigureCallbacks(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaProducer::OnDelivery);
}

void KafkaProducer::OnDelivery(rd_kafka_t* handle, const rd_kafka_message_t* message,
                               void* opaque) {
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
  auto* self = static_cast<KafkaProducer*>(opaque);
  if (self->failed_deliveries_++ == 0) {
    const char* topic = message->rkt != nullptr ? rd_kafka_topic_name(message->rkt) : "?";
    self->delivery_error_ = detail::Concat(
        "delivering a message to ", Where(topic, message->partition), " failed: ",
        rd_kafka_err2str(message->err));
  }
}

void KafkaProducer::ThrowDeliveryError() {
  ThrowPendingError();
  if (failed_deliveries_ == 0) return;
  std::string message = detail::Concat(Describe(), ": ", delivery_error_, " (", failed_deliveries_,
                                       " message(s) not delivered)");
  failed_deliveries_ = 0;
  throw KafkaError(message);
}

bool KafkaProducer::TryProduce(const std::string& topic, int32_t partition, const char* key,
                               size_t key_size, const char* value, size_t value_size,
                               int64_t timestamp) {
  rd_kafka_resp_err_t error = rd_kafka_producev(
      handle_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_size),
      RD_KAFKA_V_VALUE(const_cast<char*>(value), value_size),
      RD_KAFKA_V_TIMESTAMP(timestamp < 0 ? 0 : timestamp), RD_KAFKA_V_END);
  if (error == RD_KAFKA_RESP_ERR__QUEUE_FULL) return false;
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::string hint = error == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC
                           ? "; check that the topic exists"
                           : (error == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION
                                  ? "; check the partitioner against the topic's partition count"
                                  : "");
    throw KafkaError(detail::Concat(Describe(), ": producing to ", Where(topic, partition),
                                    " failed: ", rd_kafka_err2str(error), hint));
  }
  return true;
}

void KafkaProducer::Poll(int timeout_ms) {
  rd_kafka_poll(handle_, timeout_ms);
  ThrowDeliveryError();
}

void KafkaProducer::Flush(int timeout_ms) {
  if (timeout_ms < 0) timeout_ms = default_timeout_ms_;
  rd_kafka_resp_err_t error = rd_kafka_flush(handle_, timeout_ms);
  ThrowDeliveryError();
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::string transport = last_transport_error_.empty()
                                ? std::string()
                                : detail::Concat(" (last connection error: ", last_transport_error_, ")");
    throw KafkaError(detail::Concat(Describe(), ": ", rd_kafka_outq_len(handle_),
                                    " message(s) still undelivered after ", timeout_ms, " ms",
                                    transport, "; check that the brokers are reachable"));
  }
}

void KafkaProducer::ThrowTransactionError(rd_kafka_error_t* error, const char* what) {
  if (error == nullptr) return;
  std::string message = detail::Concat(
      Describe(), ": ", what, " of transactional.id '", transactional_id_, "' failed: ",
      rd_kafka_error_string(error),
      rd_kafka_error_is_fatal(error) ? " (fatal: the producer was fenced or is unusable)" : "",
      rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__TIMED_OUT
          ? "; check that the brokers are reachable and transaction.state.log settings"
          : "");
  rd_kafka_error_destroy(error);
  throw KafkaError(message);
}

void KafkaProducer::InitTransactions(int timeout_ms) {
  ThrowTransactionError(
      rd_kafka_init_transactions(handle_, timeout_ms < 0 ? default_timeout_ms_ : timeout_ms),
      "initialising transactions");
}

void KafkaProducer::BeginTransaction() {
  ThrowTransactionError(rd_kafka_begin_transaction(handle_), "beginning a transaction");
}

void KafkaProducer::CommitTransaction(int timeout_ms) {
  ThrowTransactionError(
      rd_kafka_commit_transaction(handle_, timeout_ms < 0 ? default_timeout_ms_ : timeout_ms),
      "committing the transaction");
  ThrowDeliveryError();
}

void KafkaProducer::SendOffsetsToTransaction(const std::vector<TopicPartitionOffset>& offsets,
                                             const std::string& group_id, int timeout_ms) {
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
  for (const auto& entry : offsets) {
    rd_kafka_topic_partition_list_add(list, entry.topic.c_str(), entry.partition)->offset = entry.offset;
  }
  rd_kafka_consumer_group_metadata_t* group = rd_kafka_consumer_group_metadata_new(group_id.c_str());
  rd_kafka_error_t* error = rd_kafka_send_offsets_to_transaction(
      handle_, list, group, timeout_ms < 0 ? default_timeout_ms_ : timeout_ms);
  rd_kafka_consumer_group_metadata_destroy(group);
  rd_kafka_topic_partition_list_destroy(list);
  ThrowTransactionError(error, "sending offsets to the transaction");
}

void KafkaProducer::AbortTransaction(int timeout_ms) {
  ThrowTransactionError(
      rd_kafka_abort_transaction(handle_, timeout_ms < 0 ? default_timeout_ms_ : timeout_ms),
      "aborting the transaction");
  // Messages of an aborted transaction report purge errors: they were meant to go.
  failed_deliveries_ = 0;
}

}  // namespace fluvial::connectors::kafka
