#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace comanda::cache {

/// Copies of cached values kept in the process, for as long as Redis says nothing changed (see
/// InvalidationTracker): a hit costs a map lookup instead of a round trip to Redis.
///
/// A value read from Redis is kept only if no invalidation arrived between the moment the read
/// was sent (Epoch(), taken before it) and Put(). Redis sends the invalidation of a write after
/// the reads it answered before it, so a read that raced with a write either sees the write or
/// is refused here, and a kept copy can only be dropped later, never be stale.
template <class Value>
class NearCache {
 public:
  using Clock = std::chrono::steady_clock;

  explicit NearCache(std::size_t capacity = 4096) : capacity_{capacity} {}

  /// The kept value, unless it expired.
  std::shared_ptr<const Value> Get(const std::string& key, Clock::time_point now = Clock::now()) {
    const std::lock_guard lock{mutex_};
    const auto found = entries_.find(key);
    if (found == entries_.end()) return nullptr;
    if (found->second.expires <= now) {
      entries_.erase(found);
      return nullptr;
    }
    return found->second.value;
  }

  /// Take it before sending the read whose answer may be kept.
  std::uint64_t Epoch() const {
    const std::lock_guard lock{mutex_};
    return epoch_;
  }

  /// Keeps `value` until `expires`, unless something was invalidated since `epoch` (or the
  /// cache is full). True when kept.
  bool Put(const std::string& key, Value value, std::uint64_t epoch, Clock::time_point expires) {
    auto shared = std::make_shared<const Value>(std::move(value));
    const std::lock_guard lock{mutex_};
    if (epoch != epoch_ || (entries_.size() >= capacity_ && !entries_.contains(key))) return false;
    entries_.insert_or_assign(key, Entry{std::move(shared), expires});
    return true;
  }

  /// Drops `key`, or everything when nullopt; refuses every Put() whose epoch came before.
  void Invalidate(std::optional<std::string_view> key) {
    const std::lock_guard lock{mutex_};
    ++epoch_;
    if (key) {
      entries_.erase(std::string{*key});
    } else {
      entries_.clear();
    }
  }

  std::size_t size() const {
    const std::lock_guard lock{mutex_};
    return entries_.size();
  }

 private:
  struct Entry {
    std::shared_ptr<const Value> value;
    Clock::time_point expires;
  };
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::uint64_t epoch_ = 0;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace comanda::cache
