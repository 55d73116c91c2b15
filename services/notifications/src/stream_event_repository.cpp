#include "stream_event_repository.hpp"

#include <string>

namespace comanda::notifications {
namespace {

constexpr auto kLatest = "stream_events_latest";
constexpr auto kAfter = "stream_events_after";
constexpr auto kReplay = "stream_events_replay";
constexpr auto kPrune = "stream_events_prune";

constexpr auto kColumns =
    "SELECT s.id, s.kind, s.user_id::text, s.order_id::text, s.state, s.sequence, "
    "(extract(epoch FROM s.occurred_at) * 1000)::bigint, coalesce(n.id::text, ''), "
    "coalesce(n.message, ''), n.reason, "
    "(extract(epoch FROM coalesce(n.created_at, s.created_at)) * 1000)::bigint "
    "FROM stream_events s LEFT JOIN notifications n ON n.id = s.notification_id ";

std::chrono::system_clock::time_point FromMillis(std::int64_t millis) {
  return std::chrono::system_clock::time_point{std::chrono::milliseconds{millis}};
}

std::vector<StreamEvent> ToEvents(const pqxx::result& rows) {
  std::vector<StreamEvent> events;
  events.reserve(static_cast<std::size_t>(rows.size()));
  for (const auto& row : rows) {
    StreamEvent event;
    event.id = row[0].as<std::int64_t>();
    event.kind = row[1].as<std::string>() == "status" ? StreamEvent::Kind::kStatus
                                                      : StreamEvent::Kind::kNotification;
    event.user_id = row[2].as<std::string>();
    event.order_id = row[3].as<std::string>();
    event.state = row[4].as<std::string>();
    event.sequence = row[5].as<int>();
    event.occurred_at = FromMillis(row[6].as<std::int64_t>());
    event.notification_id = row[7].as<std::string>();
    event.message = row[8].as<std::string>();
    if (!row[9].is_null()) event.reason = row[9].as<std::string>();
    event.created_at = FromMillis(row[10].as<std::int64_t>());
    events.push_back(std::move(event));
  }
  return events;
}

}  // namespace

std::vector<db::Statement> StreamStatements() {
  return {
      {kLatest, "SELECT coalesce(max(id), 0) FROM stream_events"},
      {kAfter, std::string{kColumns} + "WHERE s.id > $1 ORDER BY s.id LIMIT $2"},
      {kReplay, std::string{kColumns} +
                    "WHERE s.id > $1 AND s.id <= $2 AND (s.user_id = $3::uuid OR (s.kind = "
                    "'status' AND $4::boolean)) ORDER BY s.id LIMIT $5"},
      {kPrune, "DELETE FROM stream_events WHERE created_at < now() - make_interval(secs => $1)"},
  };
}

std::int64_t StreamEventRepository::Latest() {
  return db_.Run([](pqxx::connection& connection) {
    pqxx::nontransaction tx{connection};
    return tx.exec_prepared1(kLatest)[0].as<std::int64_t>();
  });
}

std::vector<StreamEvent> StreamEventRepository::After(std::int64_t after, int limit) {
  return db_.Run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx{connection};
    return ToEvents(tx.exec_prepared(kAfter, after, limit));
  });
}

std::vector<StreamEvent> StreamEventRepository::Replay(std::int64_t after, std::int64_t upto,
                                                       const Audience& audience, int limit) {
  return db_.Run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx{connection};
    return ToEvents(
        tx.exec_prepared(kReplay, after, upto, audience.user_id, audience.staff, limit));
  });
}

std::int64_t StreamEventRepository::Prune(std::chrono::seconds age) {
  return db_.RunStatement(true, [&](pqxx::connection& connection) {
    pqxx::nontransaction tx{connection};
    return static_cast<std::int64_t>(
        tx.exec_prepared(kPrune, static_cast<double>(age.count())).affected_rows());
  });
}

}  // namespace comanda::notifications
