// Kafka clients for fluvial.datastream.connectors.kafka: the interpreter lock is
// released around every call that waits on the network, and fetched messages
// become Python objects only when asked for (values only, or whole records).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "connectors/kafka/kafka_client.h"

namespace py = pybind11;
using fluvial::connectors::kafka::KafkaClient;
using fluvial::connectors::kafka::KafkaConsumer;
using fluvial::connectors::kafka::KafkaError;
using fluvial::connectors::kafka::KafkaProducer;
using fluvial::connectors::kafka::MessageBatch;
using fluvial::connectors::kafka::PartitionRange;
using fluvial::connectors::kafka::Properties;
using fluvial::connectors::kafka::TopicPartitionOffset;

namespace fluvial::bindings {
namespace {

using Entry = std::tuple<std::string, int32_t, int64_t>;

std::vector<TopicPartitionOffset> ToOffsets(const std::vector<Entry>& entries) {
  std::vector<TopicPartitionOffset> offsets;
  offsets.reserve(entries.size());
  for (const auto& [topic, partition, offset] : entries) offsets.push_back({topic, partition, offset});
  return offsets;
}

std::vector<Entry> FromOffsets(const std::vector<TopicPartitionOffset>& offsets) {
  std::vector<Entry> entries;
  entries.reserve(offsets.size());
  for (const auto& entry : offsets) entries.emplace_back(entry.topic, entry.partition, entry.offset);
  return entries;
}

py::object BytesOrNone(const void* data, size_t size) {
  if (data == nullptr) return py::none();
  return py::reinterpret_steal<py::object>(
      PyBytes_FromStringAndSize(static_cast<const char*>(data), static_cast<Py_ssize_t>(size)));
}

// Topic names repeat in every message: build each Python str once per batch.
class TopicNames {
 public:
  py::object Get(const rd_kafka_message_t* message) {
    const char* name = rd_kafka_topic_name(message->rkt);
    if (name != last_name_) {
      last_name_ = name;
      last_ = py::str(name);
    }
    return last_;
  }

 private:
  const char* last_name_ = nullptr;
  py::object last_;
};

py::list Values(const MessageBatch& batch) {
  py::list values(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    const rd_kafka_message_t* message = batch.at(i);
    PyObject* value = message->payload == nullptr
                          ? Py_NewRef(Py_None)
                          : PyBytes_FromStringAndSize(static_cast<const char*>(message->payload),
                                                      static_cast<Py_ssize_t>(message->len));
    if (value == nullptr) throw py::error_already_set();
    PyList_SET_ITEM(values.ptr(), static_cast<Py_ssize_t>(i), value);
  }
  return values;
}

py::list Records(const MessageBatch& batch) {
  py::list records(batch.size());
  TopicNames topics;
  for (size_t i = 0; i < batch.size(); ++i) {
    const rd_kafka_message_t* message = batch.at(i);
    rd_kafka_timestamp_type_t type;
    int64_t timestamp = rd_kafka_message_timestamp(message, &type);
    py::tuple record = py::make_tuple(topics.Get(message), message->partition, message->offset,
                                      timestamp, BytesOrNone(message->key, message->key_len),
                                      BytesOrNone(message->payload, message->len));
    PyList_SET_ITEM(records.ptr(), static_cast<Py_ssize_t>(i), record.release().ptr());
  }
  return records;
}

// A Python buffer (bytes) of native ints: what SplitBatch takes without a
// Python object per record.
template <typename T>
py::bytes PackInts(const std::vector<T>& values) {
  return py::bytes(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

py::bytes Timestamps(const MessageBatch& batch) {
  std::vector<int64_t> timestamps(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    rd_kafka_timestamp_type_t type;
    timestamps[i] = rd_kafka_message_timestamp(batch.at(i), &type);
  }
  return PackInts(timestamps);
}

const char* BufferOf(py::handle object, size_t* size, const char* what, size_t index) {
  char* data = nullptr;
  Py_ssize_t length = 0;
  if (!PyBytes_Check(object.ptr()) || PyBytes_AsStringAndSize(object.ptr(), &data, &length) != 0) {
    throw py::type_error(detail::Concat("Kafka producer: the ", what, " of message ", index,
                                        " must be bytes, got ",
                                        Py_TYPE(object.ptr())->tp_name));
  }
  *size = static_cast<size_t>(length);
  return data;
}

// Queues every message; waits (lock released) while librdkafka's queue is full.
void Send(KafkaProducer& producer, const std::string& topic, const py::list& values,
          const py::object& keys, const py::object& partitions, const py::object& timestamps) {
  size_t count = values.size();
  auto check_length = [&](const py::object& column, const char* what) {
    if (!column.is_none() && py::len(column) != count) {
      throw py::value_error(detail::Concat("Kafka producer: ", count, " values but ",
                                           py::len(column), " ", what));
    }
  };
  check_length(keys, "keys");
  check_length(partitions, "partitions");
  check_length(timestamps, "timestamps");
  for (size_t i = 0; i < count; ++i) {
    size_t value_size = 0, key_size = 0;
    py::handle value = PyList_GET_ITEM(values.ptr(), static_cast<Py_ssize_t>(i));
    const char* value_data = value.is_none() ? nullptr : BufferOf(value, &value_size, "value", i);
    const char* key_data = nullptr;
    if (!keys.is_none()) {
      py::handle key = keys[py::int_(i)];
      if (!key.is_none()) key_data = BufferOf(key, &key_size, "key", i);
    }
    int32_t partition = partitions.is_none() ? RD_KAFKA_PARTITION_UA
                                             : partitions[py::int_(i)].cast<int32_t>();
    int64_t timestamp = -1;
    if (!timestamps.is_none()) {
      py::handle stamp = timestamps[py::int_(i)];
      if (!stamp.is_none()) timestamp = stamp.cast<int64_t>();
    }
    while (!producer.TryProduce(topic, partition, key_data, key_size, value_data, value_size,
                                timestamp)) {
      py::gil_scoped_release release;
      producer.Poll(50);
    }
  }
  producer.Poll(0);
}

Properties ToProperties(const std::vector<std::pair<std::string, std::string>>& properties) {
  return Properties(properties.begin(), properties.end());
}

}  // namespace

void BindKafka(py::module_& module) {
  py::register_exception_translator([](std::exception_ptr pointer) {
    try {
      if (pointer) std::rethrow_exception(pointer);
    } catch (const KafkaError& error) {
      py::object connector_error = py::module_::import("fluvial.errors").attr("ConnectorError");
      PyErr_SetString(connector_error.ptr(), error.what());
    }
  });

  py::class_<MessageBatch>(module, "KafkaMessages",
                           "Messages fetched by one KafkaConsumer.consume() call.")
      .def("__len__", &MessageBatch::size)
      .def("release", &MessageBatch::Release,
           "Frees the messages now (the consumer cannot close while any are alive).")
      .def("values", &Values, "Returns the values as a list of bytes (None for a null value).")
      .def("records", &Records,
           "Returns (topic, partition, offset, timestamp, key, value) tuples.")
      .def("timestamps", &Timestamps,
           "Returns the messages' timestamps (ms; -1: none) as bytes of native int64.")
      .def(
          "location",
          [](const MessageBatch& batch, size_t index) {
            if (index >= batch.size()) throw py::index_error("message index out of range");
            const rd_kafka_message_t* message = batch.at(index);
            return py::make_tuple(rd_kafka_topic_name(message->rkt), message->partition,
                                  message->offset);
          },
          "Returns (topic, partition, offset) of one message.");

  py::class_<KafkaClient>(module, "KafkaClient")
      .def_property_readonly("brokers", &KafkaClient::brokers)
      .def("list_topics", &KafkaClient::ListTopics, py::arg("timeout_ms") = -1,
           py::call_guard<py::gil_scoped_release>(),
           "Returns {topic: partition count} of every topic.")
      .def("partition_count", &KafkaClient::PartitionCount, py::arg("topic"),
           py::arg("timeout_ms") = -1, py::call_guard<py::gil_scoped_release>())
      .def("create_topic", &KafkaClient::CreateTopic, py::arg("topic"), py::arg("partitions"),
           py::arg("timeout_ms") = 30000, py::call_guard<py::gil_scoped_release>())
      .def("delete_topic", &KafkaClient::DeleteTopic, py::arg("topic"),
           py::arg("timeout_ms") = 30000, py::call_guard<py::gil_scoped_release>());

  py::class_<KafkaConsumer, KafkaClient>(module, "KafkaConsumer",
                                         "A librdkafka consumer reading assigned partitions.")
      .def(py::init([](const std::vector<std::pair<std::string, std::string>>& properties) {
             return std::make_unique<KafkaConsumer>(ToProperties(properties));
           }),
           py::arg("properties"))
      .def(
          "assign",
          [](KafkaConsumer& consumer,
             const std::vector<std::tuple<std::string, int32_t, int64_t, int64_t>>& ranges) {
            std::vector<PartitionRange> converted;
            for (const auto& [topic, partition, start, stop] : ranges) {
              converted.push_back({topic, partition, start, stop});
            }
            py::gil_scoped_release release;
            consumer.Assign(converted);
          },
          py::arg("ranges"), "Adds (topic, partition, start, stop) ranges; stop -1 = no end.")
      .def("consume", &KafkaConsumer::Consume, py::arg("max_messages"), py::arg("timeout_ms"),
           py::call_guard<py::gil_scoped_release>())
      .def("positions",
           [](const KafkaConsumer& consumer) { return FromOffsets(consumer.Positions()); })
      .def("finished", &KafkaConsumer::Finished)
      .def(
          "splits_of",
          [](KafkaConsumer& consumer, const MessageBatch& batch) {
            return PackInts(consumer.SplitsOf(batch));
          },
          py::arg("messages"),
          "Returns each message's split (partition index in assignment order) as bytes of native int32.")
      .def("active_splits", &KafkaConsumer::ActiveSplits,
           "Returns the splits (partition indexes in assignment order) not finished yet.")
      .def(
          "committed",
          [](KafkaConsumer& consumer, const std::vector<Entry>& partitions, int timeout_ms) {
            auto offsets = ToOffsets(partitions);
            py::gil_scoped_release release;
            return FromOffsets(consumer.Committed(offsets, timeout_ms));
          },
          py::arg("partitions"), py::arg("timeout_ms"))
      .def(
          "offsets_for_times",
          [](KafkaConsumer& consumer, const std::vector<Entry>& partitions, int timeout_ms) {
            auto offsets = ToOffsets(partitions);
            py::gil_scoped_release release;
            return FromOffsets(consumer.OffsetsForTimes(offsets, timeout_ms));
          },
          py::arg("partitions"), py::arg("timeout_ms"))
      .def("watermark_offsets", &KafkaConsumer::WatermarkOffsets, py::arg("topic"),
           py::arg("partition"), py::arg("timeout_ms"), py::call_guard<py::gil_scoped_release>())
      .def(
          "commit",
          [](KafkaConsumer& consumer, const std::vector<Entry>& offsets) {
            auto converted = ToOffsets(offsets);
            py::gil_scoped_release release;
            consumer.Commit(converted);
          },
          py::arg("offsets"))
      .def("close", &KafkaConsumer::Close, py::call_guard<py::gil_scoped_release>());

  py::class_<KafkaProducer, KafkaClient>(module, "KafkaProducer",
                                         "A librdkafka producer, transactional with a transactional.id.")
      .def(py::init([](const std::vector<std::pair<std::string, std::string>>& properties) {
             return std::make_unique<KafkaProducer>(ToProperties(properties));
           }),
           py::arg("properties"))
      .def_property_readonly("transactional_id", &KafkaProducer::transactional_id)
      .def("send", &Send, py::arg("topic"), py::arg("values"), py::arg("keys") = py::none(),
           py::arg("partitions") = py::none(), py::arg("timestamps") = py::none(),
           "Queues the messages (bytes values; optional keys, partitions, timestamps).")
      .def("poll", &KafkaProducer::Poll, py::arg("timeout_ms") = 0,
           py::call_guard<py::gil_scoped_release>())
      .def("flush", &KafkaProducer::Flush, py::arg("timeout_ms") = -1,
           py::call_guard<py::gil_scoped_release>())
      .def("init_transactions", &KafkaProducer::InitTransactions, py::arg("timeout_ms") = -1,
           py::call_guard<py::gil_scoped_release>())
      .def("begin_transaction", &KafkaProducer::BeginTransaction,
           py::call_guard<py::gil_scoped_release>())
      .def("commit_transaction", &KafkaProducer::CommitTransaction, py::arg("timeout_ms") = -1,
           py::call_guard<py::gil_scoped_release>())
      .def("abort_transaction", &KafkaProducer::AbortTransaction, py::arg("timeout_ms") = -1,
           py::call_guard<py::gil_scoped_release>())
      .def(
          "send_offsets_to_transaction",
          [](KafkaProducer& producer, const std::vector<Entry>& offsets, const std::string& group_id,
             int timeout_ms) {
            auto converted = ToOffsets(offsets);
            py::gil_scoped_release release;
            producer.SendOffsetsToTransaction(converted, group_id, timeout_ms);
          },
          py::arg("offsets"), py::arg("group_id"), py::arg("timeout_ms") = -1,
          "Adds a consumer group's offsets to the open transaction (committed with it).");
}

}  // namespace fluvial::bindings
