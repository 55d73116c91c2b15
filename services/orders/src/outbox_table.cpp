// PgOutboxTable: the relay's SQL. The relay's logic is in outbox_relay.cpp.
#include <pqxx/pqxx>

#include "outbox_relay.hpp"

namespace comanda::orders {
namespace {

constexpr auto kClaim = "outbox_claim";
constexpr auto kMarkAllSent = "outbox_mark_all_sent";
constexpr auto kMarkFailed = "outbox_mark_failed";
constexpr auto kStats = "outbox_stats";

std::vector<db::Statement> Statements() {
  return {{kClaim,
           "SELECT id::text, event_type, routing_key, payload, correlation_id, "
           "extract(epoch FROM created_at)::bigint, COALESCE(traceparent, '') FROM outbox "
           "WHERE sent_at IS NULL "
           "ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED"},
          {kMarkAllSent,
           "UPDATE outbox SET sent_at = now(), attempts = attempts + 1, "
           "last_error = NULL WHERE id = ANY($1::uuid[])"},
          {kMarkFailed, "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1"},
          {kStats,
           "SELECT count(*), COALESCE(extract(epoch FROM min(created_at)), 0)::float8 "
           "FROM outbox WHERE sent_at IS NULL"}};
}

}  // namespace

PgOutboxTable::PgOutboxTable(std::string database_url)
    : connection_{std::move(database_url), Statements()} {}

PgOutboxTable::~PgOutboxTable() { Reset(); }

std::vector<OutboxRecord> PgOutboxTable::Claim(int limit) {
  claim_.reset();
  claim_ = std::make_unique<pqxx::work>(connection_.Get());
  std::vector<OutboxRecord> records;
  for (const auto& row : claim_->exec_prepared(kClaim, limit)) {
    records.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                       row[3].as<std::string>(), row[4].as<std::string>(),
                       row[5].as<std::int64_t>(), row[6].as<std::string>()});
  }
  return records;
}

void PgOutboxTable::MarkSent(const std::vector<OutboxRecord>& records) {
  std::string ids = "{";
  for (const auto& record : records) ids += (ids.size() > 1 ? "," : "") + record.id;
  ids += "}";
  claim_->exec_prepared(kMarkAllSent, ids);
  claim_->commit();
  claim_.reset();
}

void PgOutboxTable::MarkFailed(const OutboxRecord& first, const std::string& error) {
  claim_->exec_prepared(kMarkFailed, first.id, error);
  claim_->commit();
  claim_.reset();
}

void PgOutboxTable::Release() { claim_.reset(); }

OutboxStats PgOutboxTable::Stats() {
  pqxx::nontransaction query{connection_.Get()};
  const auto row = query.exec_prepared1(kStats);
  return {row[0].as<double>(), row[1].as<double>()};
}

void PgOutboxTable::Reset() noexcept {
  claim_.reset();
  connection_.Reset();
}

}  // namespace comanda::orders
