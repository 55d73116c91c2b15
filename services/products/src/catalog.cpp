#include "catalog.hpp"

#include <random>

#include "comanda/core/ids.hpp"
#include "comanda/core/log.hpp"

namespace comanda::products {
namespace {

const std::string kGenerationKey = "products:v1:generation";
using NearClock = cache::NearCache<Page>::Clock;
const std::string kCacheRequests = "products_cache_requests_total";
const std::string kCacheRequestsHelp = "Catalog reads by cache result.";

// The page in `entry` when it belongs to the current generation (values of MGET generation, key).
std::optional<Page> HitOf(std::vector<std::optional<std::string>>& values) {
  if (values.size() != 2 || !values[1]) return std::nullopt;
  const std::string generation = values[0].value_or("0");
  auto entry = DecodeEntry(*values[1]);
  if (!entry || entry->generation != generation) return std::nullopt;
  return Page{std::move(entry->body), std::move(entry->etag), CacheStatus::kHit};
}

std::string ListKey(const std::optional<std::string>& category) {
  return "products:v1:list:" + category.value_or("all");
}

std::string ItemKey(const std::string& id) { return "products:v1:item:" + id; }

Page Serialize(const nlohmann::json& json) {
  Page page;
  page.body = json.dump();
  page.etag = ETagOf(page.body);
  return page;
}

}  // namespace

const std::string Catalog::kPrefix = "products:v1:";

std::string_view ToString(CacheStatus status) noexcept {
  switch (status) {
    case CacheStatus::kHit:
      return "HIT";
    case CacheStatus::kMiss:
      return "MISS";
    case CacheStatus::kBypass:
      return "BYPASS";
  }
  return "MISS";
}

std::string EncodeEntry(const CacheEntry& entry) {
  return entry.generation + "\n" + entry.etag + "\n" + entry.body;
}

std::optional<CacheEntry> DecodeEntry(std::string_view stored) {
  const auto first = stored.find('\n');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = stored.find('\n', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  return CacheEntry{std::string{stored.substr(0, first)},
                    std::string{stored.substr(first + 1, second - first - 1)},
                    std::string{stored.substr(second + 1)}};
}

Catalog::Catalog(ProductRepository& products, cache::Redis& redis, std::chrono::seconds ttl,
                 core::metrics::Registry& metrics, cache::AsyncRedis* async_redis,
                 cache::InvalidationTracker* tracker)
    : products_{products},
      redis_{redis},
      ttl_{ttl},
      async_redis_{async_redis},
      tracker_{tracker},
      hits_{metrics.GetCounter(kCacheRequests, kCacheRequestsHelp, {{"result", "hit"}})},
      misses_{metrics.GetCounter(kCacheRequests, kCacheRequestsHelp, {{"result", "miss"}})},
      bypasses_{metrics.GetCounter(kCacheRequests, kCacheRequestsHelp, {{"result", "bypass"}})} {
  redis_.OnRecover([this] { Invalidate(); });
  if (tracker_ != nullptr) {
    tracker_->OnInvalidate([this](std::optional<std::string_view> key) {
      near_.Invalidate(key == kGenerationKey ? std::nullopt : key);
    });
  }
}

std::chrono::seconds Catalog::JitteredTtl() const {
  // +-10% so that entries filled together do not all expire together.
  thread_local std::mt19937 engine{std::random_device{}()};
  std::uniform_real_distribution<double> factor{0.9, 1.1};
  const auto seconds = static_cast<long>(static_cast<double>(ttl_.count()) * factor(engine));
  return std::chrono::seconds{std::max(1L, seconds)};
}

void Catalog::Invalidate() {
  const bool bumped = redis_.Incr(kGenerationKey).has_value();
  // After the bump: a local read that saw the old generation can no longer keep its page.
  near_.Invalidate(std::nullopt);
  if (!bumped) {
    core::log::Warn(
        "cache not invalidated: redis unavailable; it is invalidated when redis answers again");
  }
}

Page Catalog::Read(const std::string& key, const std::function<std::optional<Page>()>& load,
                   bool& found) {
  auto values = redis_.MGet({kGenerationKey, key});
  const bool bypass = !values.has_value();
  std::string generation = "0";
  if (values) {
    if ((*values)[0]) generation = *(*values)[0];
    if (auto hit = HitOf(*values)) {
      hits_.Inc();
      found = true;
      return std::move(*hit);
    }
  }
  // The generation is part of the flight key: a read that starts after a write never joins a
  // load that started before it.
  const auto flight_key = key + (bypass ? "@bypass" : "@" + generation);
  auto [page, leader] = flight_.Do(flight_key, [&]() -> std::optional<Page> {
    auto loaded = load();
    if (loaded && !bypass) {
      redis_.SetEx(key, EncodeEntry({generation, loaded->etag, loaded->body}), JitteredTtl());
    }
    return loaded;
  });
  (bypass ? bypasses_ : misses_).Inc();
  found = page.has_value();
  if (!page) return {};
  page->cache = bypass ? CacheStatus::kBypass : CacheStatus::kMiss;
  return std::move(*page);
}

Page Catalog::List(const std::optional<std::string>& category) {
  bool found = false;
  return Read(
      ListKey(category),
      [&]() -> std::optional<Page> {
        const auto products = products_.List(category);
        nlohmann::json items = nlohmann::json::array();
        for (const auto& product : products) items.push_back(ToJson(product));
        return Serialize({{"items", std::move(items)}, {"count", products.size()}});
      },
      found);
}

std::optional<Page> Catalog::Get(const std::string& id) {
  if (!core::IsUuid(id)) return std::nullopt;  // cannot exist: no cache, no query
  bool found = false;
  auto page = Read(
      ItemKey(id),
      [&]() -> std::optional<Page> {
        const auto product = products_.Find(id);
        if (!product) return std::nullopt;
        return Serialize(ToJson(*product));
      },
      found);
  if (!found) return std::nullopt;
  return page;
}

void Catalog::TryRead(const std::string& key, HitCallback done) {
  // After a failure, only the blocking path may read again: it first bumps the generation.
  if (async_redis_ == nullptr || !redis_.Recovered()) {
    done(std::nullopt);
    return;
  }
  const bool near = tracker_ != nullptr && tracker_->Live();
  if (near) {
    if (const auto kept = near_.Get(key)) {
      hits_.Inc();
      done(*kept);
      return;
    }
  }
  const auto epoch = near_.Epoch();
  async_redis_->MGet({kGenerationKey, key}, [this, key, near, epoch, done = std::move(done)](
                                                std::optional<cache::AsyncRedis::Values> values) {
    std::optional<Page> hit;
    if (values && redis_.Recovered()) hit = HitOf(*values);
    if (hit) {
      hits_.Inc();
      // Kept only if no invalidation arrived since the read was sent, and the link still stands.
      if (near && tracker_->Live()) near_.Put(key, *hit, epoch, NearClock::now() + ttl_);
    }
    done(std::move(hit));
  });
}

void Catalog::TryList(const std::optional<std::string>& category, HitCallback done) {
  TryRead(ListKey(category), std::move(done));
}

void Catalog::TryGet(const std::string& id, HitCallback done) {
  if (!core::IsUuid(id)) {
    done(std::nullopt);
    return;
  }
  TryRead(ItemKey(id), std::move(done));
}

}  // namespace comanda::products
