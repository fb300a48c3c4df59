#pragma once

#include <cstdint>
#include <memory>

namespace fluvial::python {

/// What a keyed operator offers the Python TimerService object of its
/// functions. The operator knows the current key (set while a record or a
/// timer is processed) and the clocks.
class TimerOwner {
 public:
  virtual ~TimerOwner() = default;
  virtual void RegisterTimer(bool event_time, int64_t timestamp) = 0;
  virtual void DeleteTimer(bool event_time, int64_t timestamp) = 0;
  virtual int64_t CurrentWatermark() const = 0;
  virtual int64_t CurrentProcessingTime() const = 0;
};

/// The handle given to Python (fluvial._core.TimerService): forwards to its
/// operator while the operator lives, and raises once the job has ended.
class TimerService {
 public:
  explicit TimerService(TimerOwner* owner) : owner_(owner) {}
  TimerOwner* owner() const;
  void Detach() { owner_ = nullptr; }

 private:
  TimerOwner* owner_;
};

}  // namespace fluvial::python
