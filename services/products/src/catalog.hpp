#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "comanda/cache/async_redis.hpp"
#include "comanda/cache/near_cache.hpp"
#include "comanda/cache/redis.hpp"
#include "comanda/cache/single_flight.hpp"
#include "comanda/cache/tracker.hpp"
#include "comanda/core/metrics.hpp"
#include "product_repository.hpp"

namespace comanda::products {

enum class CacheStatus { kHit, kMiss, kBypass };
std::string_view ToString(CacheStatus status) noexcept;

/// A serialized answer, as stored in Redis and sent to clients.
struct Page {
  std::string body;
  std::string etag;
  CacheStatus cache = CacheStatus::kMiss;
};

/// One cache entry: `<generation>\n<etag>\n<body>`.
struct CacheEntry {
  std::string generation;
  std::string etag;
  std::string body;
};
std::string EncodeEntry(const CacheEntry& entry);
std::optional<CacheEntry> DecodeEntry(std::string_view stored);

/// Cache-aside reads of the menu through Redis.
///
/// Entries are tagged with a generation number kept in Redis; a write bumps it (Invalidate), so
/// every replica's next read misses, and a reader that raced with the write can only store an
/// entry under the old generation, which nobody reads again. Concurrent misses on one key in this
/// process make one database query (single-flight). With Redis unreachable, reads go to
/// PostgreSQL and are marked BYPASS; when Redis answers again the generation is bumped, since
/// writes made meanwhile could not invalidate.
///
/// With an AsyncRedis, TryList/TryGet answer hits without blocking (on the HTTP I/O thread);
/// anything else (a miss, Redis away or not yet recovered) is left to List/Get. With an
/// InvalidationTracker too, the pages they read from Redis are also kept in memory while Redis
/// reports every change under the cache's prefix (client-side caching), and served from there:
/// a hit then costs no round trip. A local write drops them at once; another replica's write
/// drops them when Redis's invalidation arrives, which Redis sends before it answers the write.
class Catalog {
 public:
  using HitCallback = std::function<void(std::optional<Page>)>;

  Catalog(ProductRepository& products, cache::Redis& redis, std::chrono::seconds ttl,
          core::metrics::Registry& metrics, cache::AsyncRedis* async_redis = nullptr,
          cache::InvalidationTracker* tracker = nullptr);

  Page List(const std::optional<std::string>& category);
  /// nullopt when there is no such product (not cached).
  std::optional<Page> Get(const std::string& id);
  /// The key prefix of every cache entry.
  static const std::string kPrefix;
  /// Called after every committed write.
  void Invalidate();

  /// Never blocks: `done` gets the cached page on a hit, nullopt otherwise.
  void TryList(const std::optional<std::string>& category, HitCallback done);
  void TryGet(const std::string& id, HitCallback done);

 private:
  Page Read(const std::string& key, const std::function<std::optional<Page>()>& load, bool& found);
  void TryRead(const std::string& key, HitCallback done);
  std::chrono::seconds JitteredTtl() const;

  ProductRepository& products_;
  cache::Redis& redis_;
  std::chrono::seconds ttl_;
  cache::AsyncRedis* async_redis_;
  cache::InvalidationTracker* tracker_;
  cache::NearCache<Page> near_;
  core::metrics::Counter& hits_;
  core::metrics::Counter& misses_;
  core::metrics::Counter& bypasses_;
  cache::SingleFlight<std::optional<Page>> flight_;
};

}  // namespace comanda::products
