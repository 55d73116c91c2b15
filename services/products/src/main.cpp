// products-service: wiring only.

#include "app.hpp"
#include "catalog.hpp"
#include "comanda/auth/token.hpp"
#include "comanda/cache/async_redis.hpp"
#include "comanda/cache/redis.hpp"
#include "comanda/cache/tracker.hpp"
#include "comanda/core/worker.hpp"
#include "comanda/db/pool.hpp"
#include "comanda/http/client.hpp"
#include "comanda/http/server.hpp"
#include "config.hpp"

namespace comanda::products {
const std::vector<db::Migration>& Migrations();  // generated from migrations/*.sql
}

int main(int argc, char* argv[]) {
  using namespace comanda;
  const auto config = core::LoadConfigOrExit<products::Config>(argc, argv, products::kSummary,
                                                               products::LoadConfig);
  http::Runtime runtime{config.common};

  db::Pool db{db::WithDefaultParameters(config.database_url, "products-service"),
              static_cast<std::size_t>(config.common.worker_threads), products::Statements()};
  const std::chrono::milliseconds redis_backoff{1000};
  cache::Redis redis{config.redis, config.redis_timeout, redis_backoff};
  // Cache hits are read without blocking on the I/O threads; it reports failures to `redis`, whose
  // next command then bumps the generation before hits are served again.
  cache::AsyncRedis async_redis{runtime.io_context(), config.redis, config.redis_timeout,
                                redis_backoff, [&redis] { redis.MarkFailed(); }};
  const http::Client users{{"users-service", config.trust.jwks_url, config.http_timeout}};
  auth::JwksKeys keys{http::DocumentFetcher(users, "")};
  const auth::Verifier verifier{keys, config.trust.verify};
  products::ProductRepository repository{db, runtime.metrics()};
  // Redis reports every change to the cache's keys on this link, so hits can be kept in memory.
  cache::InvalidationTracker tracker{config.redis, products::Catalog::kPrefix,
                                     config.redis_timeout};
  products::Catalog catalog{repository,        redis,        config.cache_ttl,
                            runtime.metrics(), &async_redis, &tracker};
  const core::Worker tracker_worker{"cache invalidations", tracker, runtime.stop_token()};
  const products::App app{repository, catalog, verifier};

  db.InitializeInBackground(products::Migrations());
  // Redis is an optimisation: /ready reports it but only PostgreSQL decides readiness.
  return runtime.Serve(app.Routes(), {{"postgres", [&db] { return db.Ping(); }},
                                      {"redis", [&redis] { return redis.Ping(); }, false}});
}
