#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>

namespace comanda::cache {

/// Collapses concurrent calls for one key into one: the first caller runs `load`, the others
/// wait for its result (or its exception). A burst of cache misses on one key makes one query.
template <class T>
class SingleFlight {
 public:
  /// Returns the result and whether this caller ran `load` itself.
  std::pair<T, bool> Do(const std::string& key, const std::function<T()>& load) {
    std::promise<T> promise;
    std::shared_future<T> future;
    bool leader = false;
    {
      std::lock_guard lock{mutex_};
      const auto it = flights_.find(key);
      if (it != flights_.end()) {
        future = it->second;
        ++joined_;
      } else {
        future = promise.get_future().share();
        flights_.emplace(key, future);
        leader = true;
      }
    }
    if (!leader) return {future.get(), false};
    try {
      promise.set_value(load());
    } catch (...) {
      promise.set_exception(std::current_exception());
    }
    {
      std::lock_guard lock{mutex_};
      flights_.erase(key);
    }
    return {future.get(), true};
  }

  /// How many calls so far waited for another caller's load instead of loading.
  std::uint64_t joined() const noexcept { return joined_.load(); }

 private:
  std::atomic<std::uint64_t> joined_{0};
  std::mutex mutex_;
  std::map<std::string, std::shared_future<T>> flights_;
};

}  // namespace comanda::cache
