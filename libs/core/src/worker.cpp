#include "comanda/core/worker.hpp"

#include "comanda/core/log.hpp"
#include "comanda/core/time.hpp"

namespace comanda::core {
namespace {

std::jthread StartUnlessDisabled(const std::string& name, Task& task,
                                 std::function<void(std::stop_token)> run) {
  if (const auto reason = task.DisabledBecause(); !reason.empty()) {
    core::log::Info(name + " disabled", {{"reason", reason}});
    return {};
  }
  return std::jthread{std::move(run)};
}

}  // namespace

Worker::Worker(std::string name, Task& task, std::stop_token service_stop, WorkerOptions options)
    : name_{std::move(name)},
      task_{task},
      options_{std::move(options)},
      thread_{StartUnlessDisabled(name_, task_, [this](std::stop_token stop) { Run(stop); })},
      forward_stop_{std::move(service_stop), RequestStop{&thread_}} {}

void Worker::Run(std::stop_token stop) {
  Backoff backoff{options_.backoff};
  while (!stop.stop_requested()) {
    if (options_.ready && !options_.ready()) {
      SleepFor(stop, options_.ready_poll);
      continue;
    }
    try {
      task_.Step(stop);
      backoff.Reset();
    } catch (const std::exception& e) {
      const auto delay = backoff.Next();
      const auto message = task_.Recover(e);
      core::log::Warn(message,
                      {{"worker", name_}, {"error", e.what()}, {"retryInMs", delay.count()}});
      SleepFor(stop, delay);
    }
  }
  task_.Stopped();
  core::log::Info(name_ + " stopped");
}

}  // namespace comanda::core
