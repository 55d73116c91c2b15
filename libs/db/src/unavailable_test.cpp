#include "comanda/db/unavailable.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <stdexcept>

#include "comanda/core/error.hpp"

namespace comanda::db {
namespace {

// What the notifications consumer does with each: pause (unavailable) or spend a retry (the
// message).
constexpr bool kUnavailable = true;
constexpr bool kMessage = false;

TEST(IsUnavailable, WhatThePoolReportsAsUnavailablePauses) {
  EXPECT_EQ(IsUnavailable(core::Error{core::Errc::kUnavailable, "The database is unavailable."}),
            kUnavailable);
  EXPECT_EQ(IsUnavailable(core::Error{core::Errc::kUnavailable, "The database is busy."}),
            kUnavailable);
}

TEST(IsUnavailable, OtherApplicationErrorsUseTheRetries) {
  EXPECT_EQ(IsUnavailable(core::Error{core::Errc::kValidation, "bad"}), kMessage);
  EXPECT_EQ(IsUnavailable(core::Error{core::Errc::kConflict, "taken"}), kMessage);
  EXPECT_EQ(IsUnavailable(core::Error{core::Errc::kInternal, "bug"}), kMessage);
}

TEST(IsUnavailable, LostConnectionsAndUnknownCommitsPause) {
  EXPECT_EQ(IsUnavailable(pqxx::broken_connection{"server closed the connection"}), kUnavailable);
  EXPECT_EQ(IsUnavailable(pqxx::in_doubt_error{"commit outcome unknown"}), kUnavailable);
  EXPECT_EQ(IsUnavailable(pqxx::statement_completion_unknown{"unknown"}), kUnavailable);
}

TEST(IsUnavailable, ServerSideOutagesByTheirSqlStatePause) {
  EXPECT_EQ(IsUnavailable(pqxx::sql_error{"connection failure", "", "08006"}), kUnavailable);
  EXPECT_EQ(IsUnavailable(pqxx::sql_error{"cannot connect now", "", "57P03"}), kUnavailable);
  EXPECT_EQ(IsUnavailable(pqxx::sql_error{"admin shutdown", "", "57P01"}), kUnavailable);
  EXPECT_EQ(IsUnavailable(pqxx::sql_error{"statement timeout", "", "57014"}), kUnavailable);
  EXPECT_EQ(IsUnavailable(pqxx::sql_error{"too many connections", "", "53300"}), kUnavailable);
  EXPECT_EQ(IsUnavailable(pqxx::sql_error{"disk full", "", "53100"}), kUnavailable);
  EXPECT_EQ(IsUnavailable(pqxx::sql_error{"io error", "", "58030"}), kUnavailable);
}

TEST(IsUnavailable, ConstraintAndDataErrorsUseTheRetries) {
  EXPECT_EQ(IsUnavailable(pqxx::check_violation{"check", "", "23514"}), kMessage);
  EXPECT_EQ(IsUnavailable(pqxx::unique_violation{"unique", "", "23505"}), kMessage);
  EXPECT_EQ(IsUnavailable(pqxx::not_null_violation{"not null", "", "23502"}), kMessage);
  EXPECT_EQ(IsUnavailable(pqxx::data_exception{"out of range", "", "22003"}), kMessage);
  EXPECT_EQ(IsUnavailable(pqxx::sql_error{"invalid uuid", "", "22P02"}), kMessage);
  EXPECT_EQ(IsUnavailable(pqxx::sql_error{"raised by a trigger", "", "P0001"}), kMessage);
  EXPECT_EQ(IsUnavailable(pqxx::sql_error{"internal", "", "XX000"}), kMessage);
  EXPECT_EQ(IsUnavailable(pqxx::serialization_failure{"serialization"}), kMessage);
  EXPECT_EQ(IsUnavailable(pqxx::deadlock_detected{"deadlock"}), kMessage);
}

TEST(IsUnavailable, UnknownFailuresUseTheRetries) {
  EXPECT_EQ(IsUnavailable(pqxx::sql_error{"no sqlstate"}), kMessage);
  EXPECT_EQ(IsUnavailable(pqxx::conversion_error{"conversion"}), kMessage);
  EXPECT_EQ(IsUnavailable(pqxx::usage_error{"usage"}), kMessage);
  EXPECT_EQ(IsUnavailable(pqxx::failure{"something"}), kMessage);
  EXPECT_EQ(IsUnavailable(std::runtime_error{"The database is unavailable."}), kMessage);
  EXPECT_EQ(IsUnavailable(std::bad_alloc{}), kMessage);
}

TEST(IsUnavailableSqlState, NeedsAWholeCodeOfAnOutageClass) {
  EXPECT_TRUE(IsUnavailableSqlState("08001"));
  EXPECT_TRUE(IsUnavailableSqlState("53200"));
  EXPECT_FALSE(IsUnavailableSqlState("08"));
  EXPECT_FALSE(IsUnavailableSqlState(""));
  EXPECT_FALSE(IsUnavailableSqlState("23505"));
  EXPECT_FALSE(IsUnavailableSqlState("40001"));
}

TEST(IsUnreplicatedCommitNotice, MatchesPostgresWarningOnly) {
  // As PostgreSQL 15 sends it when a cancel (pg_cancel_backend) ends the wait for the synchronous
  // standby (src/backend/replication/syncrep.c).
  EXPECT_TRUE(IsUnreplicatedCommitNotice(
      "WARNING:  canceling wait for synchronous replication due to user request\n"
      "DETAIL:  The transaction has already committed locally, but might not have been "
      "replicated to the standby.\n"));
  EXPECT_FALSE(IsUnreplicatedCommitNotice("WARNING:  there is no transaction in progress\n"));
  EXPECT_FALSE(IsUnreplicatedCommitNotice("NOTICE:  relation \"orders\" already exists\n"));
  EXPECT_FALSE(IsUnreplicatedCommitNotice(""));
}

}  // namespace
}  // namespace comanda::db
