// Binds runtime::Job for the Python API: a plan of Python node descriptions
// in, a running job handle out. Errors are turned into plain data here and
// into Python exceptions once, in fluvial/datastream/_job.py.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>

#include "common/errors.h"
#include "python/python_error.h"
#include "python/python_lock.h"
#include "python/python_operator.h"
#include "python/timer_service.h"
#include "runtime/clock.h"
#include "runtime/job.h"
#include "table/table_operators.h"

namespace fluvial::bindings {
namespace py = pybind11;

namespace {

runtime::PartitionKind ParsePartitionKind(const std::string& name) {
  using runtime::PartitionKind;
  if (name == "forward") return PartitionKind::kForward;
  if (name == "hash") return PartitionKind::kHash;
  if (name == "rebalance") return PartitionKind::kRebalance;
  if (name == "rescale") return PartitionKind::kRescale;
  if (name == "shuffle") return PartitionKind::kShuffle;
  if (name == "broadcast") return PartitionKind::kBroadcast;
  if (name == "custom") return PartitionKind::kCustom;
  throw InternalError("unknown partitioning '" + name + "'");
}

// Reads the plan written by fluvial/datastream/_plan.py: each node has id,
// name, parallelism, max_parallelism, chaining, inputs [(from, input, kind,
// output_tag)], is_source and instantiate(subtask) -> spec dict.
runtime::JobGraph BuildGraph(const std::string& name, const py::list& nodes,
                             size_t mailbox_capacity) {
  runtime::JobGraph graph;
  graph.name = name;
  graph.mailbox_capacity = mailbox_capacity;
  for (const py::handle& item : nodes) {
    runtime::JobNode node;
    node.id = item.attr("id").cast<int>();
    node.name = item.attr("name").cast<std::string>();
    node.parallelism = item.attr("parallelism").cast<int>();
    node.max_parallelism = item.attr("max_parallelism").cast<int>();
    node.chaining_enabled = item.attr("chaining").cast<bool>();
    for (const py::handle& input : item.attr("inputs")) {
      auto edge = input.cast<py::tuple>();
      node.inputs.push_back(runtime::JobEdge{edge[0].cast<int>(), edge[1].cast<int>(),
                                             ParsePartitionKind(edge[2].cast<std::string>()),
                                             edge.size() > 3 ? edge[3].cast<int>() : 0});
    }
    py::object instantiate = item.attr("instantiate");
    // Called only while the Job is built, on this thread, with the GIL held.
    if (item.attr("is_source").cast<bool>()) {
      node.make_source = [instantiate](int subtask) -> std::unique_ptr<runtime::SourceOperator> {
        auto spec = instantiate(subtask).cast<py::dict>();
        if (py::str(spec["kind"]).cast<std::string>() == "table_source") return table::MakeTableSource(spec);
        return python::MakePollSource(spec);
      };
    } else {
      node.make_operator = [instantiate](int subtask) {
        auto spec = instantiate(subtask).cast<py::dict>();
        // Columnar (Table/SQL) operators first, then the object path's.
        if (auto columnar = table::MakeTableOperator(spec)) return columnar;
        return python::MakePythonOperator(spec);
      };
    }
    graph.nodes.push_back(std::move(node));
  }
  return graph;
}

class JobHandle {
 public:
  JobHandle(const std::string& name, const py::list& nodes, size_t mailbox_capacity,
            std::shared_ptr<runtime::ManualClock> clock, bool checkpointing, bool exactly_once) {
    runtime::JobGraph graph = BuildGraph(name, nodes, mailbox_capacity);
    graph.clock = clock;
    graph.checkpointing = checkpointing;
    graph.exactly_once = exactly_once;
    job_ = std::make_unique<runtime::Job>(graph, std::make_shared<python::PythonExecutionLock>());
  }

  ~JobHandle() {
    {
      // Workers need the GIL to wind down; let them have it while we wait.
      py::gil_scoped_release release;
      job_->Cancel();
      job_->Wait();
    }
    job_.reset();  // operators hold Python objects: freed with the GIL held
  }

  void Start() { job_->Start(); }

  bool Wait(double timeout_seconds) {
    py::gil_scoped_release release;
    if (timeout_seconds < 0) {
      job_->Wait();
      return true;
    }
    return job_->WaitFor(static_cast<int64_t>(timeout_seconds * 1000));
  }

  void Cancel() {
    py::gil_scoped_release release;
    job_->Cancel();
  }

  bool Done() const {
    py::gil_scoped_release release;
    return job_->done();
  }

  bool Cancelled() const { return job_->cancelled(); }

  void TriggerCheckpoint(int64_t checkpoint_id) {
    py::gil_scoped_release release;
    job_->TriggerCheckpoint(checkpoint_id);
  }

  void NotifyCheckpointComplete(int64_t checkpoint_id) {
    py::gil_scoped_release release;
    job_->NotifyCheckpointComplete(checkpoint_id);
  }

  void CompleteFinalCheckpoint(int64_t checkpoint_id) {
    py::gil_scoped_release release;
    job_->CompleteFinalCheckpoint(checkpoint_id);
  }

  // None, or (kind, location, message, exception): kind is "python" (a
  // Python exception, given whole), "user" (a mistake in the job or its
  // input) or "internal" (an engine bug).
  py::object Failure() const {
    std::exception_ptr failure;
    {
      py::gil_scoped_release release;
      failure = job_->failure();
    }
    if (!failure) return py::none();
    std::string location;
    std::exception_ptr cause = failure;
    try {
      std::rethrow_exception(failure);
    } catch (const runtime::OperatorFailure& operator_failure) {
      location = operator_failure.location();
      cause = operator_failure.cause();
    } catch (...) {
    }
    try {
      std::rethrow_exception(cause);
    } catch (const python::PythonError& error) {
      return py::make_tuple("python", location, error.what(),
                            py::reinterpret_steal<py::object>(error.NewReference()));
    } catch (const UserError& error) {
      return py::make_tuple("user", location, error.what(), py::none());
    } catch (const std::exception& error) {
      return py::make_tuple("internal", location, error.what(), py::none());
    } catch (...) {
      return py::make_tuple("internal", location, "unknown failure", py::none());
    }
  }

 private:
  std::unique_ptr<runtime::Job> job_;
};

}  // namespace

void BindJob(py::module_& module) {
  py::class_<JobHandle>(module, "Job")
      .def(py::init<const std::string&, const py::list&, size_t,
                    std::shared_ptr<runtime::ManualClock>, bool, bool>(),
           py::arg("name"), py::arg("nodes"), py::arg("mailbox_capacity") = 16,
           py::arg("clock") = nullptr, py::arg("checkpointing") = false,
           py::arg("exactly_once") = true)
      .def("start", &JobHandle::Start)
      .def("wait", &JobHandle::Wait, py::arg("timeout") = -1.0,
           "Waits for the job to end (timeout in seconds, negative: forever); "
           "returns True if it has ended.")
      .def("cancel", &JobHandle::Cancel)
      .def("done", &JobHandle::Done)
      .def("cancelled", &JobHandle::Cancelled)
      .def("failure", &JobHandle::Failure)
      .def("trigger_checkpoint", &JobHandle::TriggerCheckpoint, py::arg("checkpoint_id"),
           "Asks every source that has not ended to inject a barrier.")
      .def("notify_checkpoint_complete", &JobHandle::NotifyCheckpointComplete,
           py::arg("checkpoint_id"))
      .def("complete_final_checkpoint", &JobHandle::CompleteFinalCheckpoint,
           py::arg("checkpoint_id"),
           "Releases the workers waiting after their final snapshot (0: without notifying).");

  py::class_<runtime::ManualClock, std::shared_ptr<runtime::ManualClock>>(
      module, "ManualClock", "A processing-time clock that moves only when told to (for tests).")
      .def(py::init<int64_t>(), py::arg("start_millis") = 0)
      .def("now", &runtime::ManualClock::NowMillis)
      .def("set", &runtime::ManualClock::Set, py::arg("millis"))
      .def("advance", &runtime::ManualClock::Advance, py::arg("millis"));

  using python::TimerService;
  py::class_<TimerService, std::shared_ptr<TimerService>>(
      module, "TimerService", "Timers of the current key, for a keyed function (internal).")
      .def("register_event_time_timer",
           [](TimerService& self, int64_t t) { self.owner()->RegisterTimer(true, t); })
      .def("register_processing_time_timer",
           [](TimerService& self, int64_t t) { self.owner()->RegisterTimer(false, t); })
      .def("delete_event_time_timer",
           [](TimerService& self, int64_t t) { self.owner()->DeleteTimer(true, t); })
      .def("delete_processing_time_timer",
           [](TimerService& self, int64_t t) { self.owner()->DeleteTimer(false, t); })
      .def("current_watermark", [](TimerService& self) { return self.owner()->CurrentWatermark(); })
      .def("current_processing_time",
           [](TimerService& self) { return self.owner()->CurrentProcessingTime(); });

  module.def(
      "describe_plan",
      [](const std::string& name, const py::list& nodes) {
        return runtime::DescribeJobGraph(BuildGraph(name, nodes, 16));
      },
      "Returns the chained execution plan as text.");
}

}  // namespace fluvial::bindings
