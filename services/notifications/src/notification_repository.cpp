#include "notification_repository.hpp"

#include "comanda/core/ids.hpp"

namespace comanda::notifications {
namespace {

constexpr auto kInsert = "notifications_insert";
constexpr auto kListForUser = "notifications_list_for_user";
constexpr auto kStoreStatus = "notifications_store_status";

std::int64_t EpochMicros(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
}

}  // namespace

std::vector<db::Statement> Statements() {
  return {
      {kInsert,
       "INSERT INTO notifications (id, event_id, order_id, user_id, message, total_cents, "
       "currency, correlation_id, occurred_at) VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, "
       "$5, $6, $7, $8, to_timestamp($9::float8 / 1000000)) ON CONFLICT (event_id) DO NOTHING "
       "RETURNING id"},
      // The order's known state moves only forward (a late or replayed event leaves it). A
      // customer-facing move ($11) is noted once per eventId, also when it arrives late: it did
      // happen, and the timeline orders by sequence.
      {kStoreStatus,
       "WITH advanced AS (INSERT INTO order_states (order_id, user_id, state, sequence, "
       "occurred_at) VALUES ($1::uuid, $2::uuid, $3, $4, to_timestamp($5::float8 / 1000000)) "
       "ON CONFLICT (order_id) DO UPDATE SET state = EXCLUDED.state, sequence = "
       "EXCLUDED.sequence, occurred_at = EXCLUDED.occurred_at WHERE order_states.sequence < "
       "EXCLUDED.sequence RETURNING order_id), "
       "note AS (INSERT INTO notifications (id, event_id, order_id, user_id, message, "
       "total_cents, currency, correlation_id, occurred_at, state, sequence, reason) SELECT "
       "$6::uuid, $7::uuid, $1::uuid, $2::uuid, $8, 0, '', $9, to_timestamp($5::float8 / "
       "1000000), $3, $4, $10 WHERE $11::boolean ON CONFLICT (event_id) DO NOTHING "
       "RETURNING id) "
       "SELECT (SELECT count(*) FROM advanced)::int, (SELECT count(*) FROM note)::int"},
      {kListForUser,
       "SELECT id::text, order_id::text, message, "
       "(extract(epoch FROM created_at) * 1000)::bigint, state, sequence, reason, "
       "(extract(epoch FROM occurred_at) * 1000)::bigint FROM notifications "
       "WHERE user_id = $1::uuid ORDER BY created_at DESC, seq DESC LIMIT " +
           std::to_string(kListLimit)},
  };
}

NotificationStore::Result NotificationRepository::Store(const OrderCreated& event,
                                                        const std::string& text) {
  // One statement that commits by itself. Running it again after a broken connection is safe:
  // the eventId's unique key makes a second insert a duplicate.
  return db_.RunStatement(true, [&](pqxx::connection& connection) {
    pqxx::nontransaction write{connection};
    const auto rows = write.exec_prepared(kInsert, core::NewUuid(), event.event_id, event.order_id,
                                          event.user_id, text, event.total_cents, event.currency,
                                          event.correlation_id, EpochMicros(event.occurred_at));
    return rows.empty() ? Result::kDuplicate : Result::kStored;
  });
}

NotificationStore::Result NotificationRepository::StoreStatus(const OrderStatusChanged& event,
                                                              const std::string& text) {
  // One statement that commits by itself; running it again is safe (the sequence check).
  return db_.RunStatement(true, [&](pqxx::connection& connection) {
    pqxx::nontransaction write{connection};
    const bool facing = IsCustomerFacing(event.to);
    const auto row =
        write.exec_prepared1(kStoreStatus, event.order_id, event.user_id, event.to, event.sequence,
                             EpochMicros(event.occurred_at), core::NewUuid(), event.event_id, text,
                             event.correlation_id, event.reason, facing);
    const bool advanced = row[0].as<int>() == 1;
    const bool noted = row[1].as<int>() == 1;
    if (facing) return noted ? Result::kStored : Result::kDuplicate;
    return advanced ? Result::kStored : Result::kStale;
  });
}

std::vector<Notification> NotificationRepository::ListForUser(const std::string& user_id) {
  return db_.Run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx{connection};
    std::vector<Notification> out;
    for (const auto& row : tx.exec_prepared(kListForUser, user_id)) {
      Notification notification{row[0].as<std::string>(),
                                row[1].as<std::string>(),
                                row[2].as<std::string>(),
                                std::chrono::system_clock::time_point{
                                    std::chrono::milliseconds{row[3].as<std::int64_t>()}},
                                row[4].as<std::string>(),
                                row[5].as<int>(),
                                std::nullopt,
                                std::chrono::system_clock::time_point{
                                    std::chrono::milliseconds{row[7].as<std::int64_t>()}}};
      if (!row[6].is_null()) notification.reason = row[6].as<std::string>();
      out.push_back(std::move(notification));
    }
    return out;
  });
}

}  // namespace comanda::notifications
