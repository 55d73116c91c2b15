#include "stream_hub.hpp"

#include <algorithm>

#include "comanda/core/log.hpp"

namespace comanda::notifications {
namespace {

constexpr int kBatch = 500;         // rows per read
constexpr int kReplayLimit = 1000;  // rows a resuming stream gets at most
constexpr std::chrono::milliseconds kHotPoll{5};
constexpr std::chrono::milliseconds kIdlePoll{1000};
constexpr std::chrono::milliseconds kHotWindow{2000};  // the event's row commits within this
constexpr std::chrono::minutes kPruneEvery{10};

}  // namespace

StreamHub::StreamHub(StreamEventSource& source, HubSettings settings,
                     core::metrics::Registry& registry)
    : source_{source},
      settings_{settings},
      sent_{registry.GetCounter("notifications_stream_events_sent_total",
                                "Events written to open SSE streams (replays included)")},
      next_heartbeat_{Clock::now() + settings.heartbeat},
      next_prune_{Clock::now() + std::chrono::minutes{1}} {
  registry.AddGauge("notifications_streams_open", "Open GET /notifications/stream responses",
                    [this] { return static_cast<double>(open_.load()); });
}

bool StreamHub::HasRoom() const noexcept {
  return open_.load() < static_cast<std::size_t>(settings_.max_streams);
}

void StreamHub::Add(Subscriber subscriber) {
  open_.fetch_add(1);
  {
    std::lock_guard lock{mutex_};
    pending_.push_back(std::move(subscriber));
  }
  wake_.notify_one();
}

void StreamHub::Notify() {
  {
    std::lock_guard lock{mutex_};
    hot_until_ = Clock::now() + kHotWindow;
    notified_ = true;
  }
  wake_.notify_one();
}

void StreamHub::Start(Subscriber& subscriber) {
  auto& stream = *subscriber.stream;
  const auto from = subscriber.last_event_id;
  if (from && *from < last_id_) {
    const auto rows = source_.Replay(*from, last_id_, subscriber.audience, kReplayLimit);
    for (const auto& event : rows) {
      if (!stream.Write(SseFrame(event))) return;
      sent_.Inc();
    }
  }
  stream.Write(ReadyFrame(last_id_, settings_.retry));
}

bool StreamHub::Deliver() {
  const auto rows = source_.After(last_id_, kBatch);
  if (rows.empty()) return false;
  // Each event formatted once, only when someone sees it; each stream gets what it sees of the
  // batch as one write (one chunk, one wake-up of its reader) rather than one per event.
  std::vector<std::string> frames(rows.size());
  for (auto& subscriber : active_) {
    std::string out;
    std::uint64_t count = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (!Visible(rows[i], subscriber.audience)) continue;
      if (frames[i].empty()) frames[i] = SseFrame(rows[i]);
      out += frames[i];
      ++count;
    }
    if (count > 0 && subscriber.stream->Write(std::move(out))) sent_.Inc(count);
  }
  last_id_ = rows.back().id;
  return rows.size() == static_cast<std::size_t>(kBatch);
}

void StreamHub::Housekeep(Clock::time_point now) {
  const auto wall = std::chrono::system_clock::now();
  const bool beat = now >= next_heartbeat_;
  if (beat) next_heartbeat_ = now + settings_.heartbeat;
  for (auto& subscriber : active_) {
    if (subscriber.expires <= wall) {
      subscriber.stream->Write(ExpiredFrame());
      subscriber.stream->Close();
    } else if (beat) {
      subscriber.stream->Write(HeartbeatFrame());
    }
  }
  const auto closed = std::remove_if(active_.begin(), active_.end(),
                                     [](const Subscriber& s) { return !s.stream->open(); });
  open_.fetch_sub(static_cast<std::size_t>(active_.end() - closed));
  active_.erase(closed, active_.end());
}

void StreamHub::CloseAll() {
  std::vector<Subscriber> pending;
  {
    std::lock_guard lock{mutex_};
    pending.swap(pending_);
  }
  for (auto* list : {&active_, &pending}) {
    for (auto& subscriber : *list) subscriber.stream->Close();
    open_.fetch_sub(list->size());
    list->clear();
  }
}

std::chrono::milliseconds StreamHub::Pass() {
  auto delay = kIdlePoll;
  try {
    if (!started_) {
      last_id_ = source_.Latest();
      started_ = true;
      core::log::Info("stream hub started", {{"lastEventId", last_id_}});
    }
    const bool more = Deliver();
    std::vector<Subscriber> arrivals;
    Clock::time_point hot_until;
    {
      std::lock_guard lock{mutex_};
      arrivals.swap(pending_);
      notified_ = false;
      hot_until = hot_until_;
    }
    bool replayed = true;
    for (auto& subscriber : arrivals) {
      try {
        if (replayed) Start(subscriber);
      } catch (const std::exception& e) {
        core::log::Warn("stream replay failed", {{"error", e.what()}});
        replayed = false;
      }
      // A stream whose replay failed is closed: its client reconnects and resumes.
      if (!replayed) subscriber.stream->Close();
      active_.push_back(std::move(subscriber));
    }
    if (const auto now = Clock::now(); now >= next_prune_) {
      next_prune_ = now + kPruneEvery;
      const auto pruned = source_.Prune(settings_.retention);
      if (pruned > 0) core::log::Info("stream events pruned", {{"rows", pruned}});
    }
    delay = more ? std::chrono::milliseconds{0} : Clock::now() < hot_until ? kHotPoll : kIdlePoll;
  } catch (const std::exception& e) {
    // The database is down or still migrating: streams stay open (heartbeats keep them) and
    // catch up from last_id_ once it answers.
    core::log::Warn("stream hub cannot read events", {{"error", e.what()}});
  }
  Housekeep(Clock::now());
  return delay;
}

void StreamHub::Step(std::stop_token stop) {
  const auto delay = Pass();
  if (delay.count() == 0) return;
  std::unique_lock lock{mutex_};
  wake_.wait_for(lock, stop, delay, [this] { return notified_ || !pending_.empty(); });
}

std::string_view StreamHub::Recover(const std::exception&) noexcept {
  return "stream hub failed, retrying";
}

void StreamHub::Stopped() noexcept {
  try {
    CloseAll();
  } catch (const std::exception& e) {
    core::log::Warn("stream hub cannot close its streams", {{"error", e.what()}});
  }
}

}  // namespace comanda::notifications
