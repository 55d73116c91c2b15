#include "lifecycle.hpp"

#include <gtest/gtest.h>

#include "comanda/core/error.hpp"
#include "orders.hpp"

namespace comanda::orders {
namespace {

using core::Errc;

const Actor kStaff{"s", "staff", false};
const Actor kAdmin{"a", "admin", false};
const Actor kOwner{"c", "customer", true};
const Actor kStranger{"x", "customer", false};

Errc ErrcOf(std::string_view from, std::string_view to, const Actor& actor,
            const std::optional<std::string>& reason = std::nullopt) {
  try {
    CheckTransition(from, to, actor, reason);
  } catch (const core::Error& e) {
    return e.errc();
  }
  return Errc::kInternal;  // stands for "allowed"
}

TEST(CheckTransition, StaffMoveAnOrderForwardOneStepAtATime) {
  EXPECT_NO_THROW(CheckTransition("CREATED", "ACCEPTED", kStaff, std::nullopt));
  EXPECT_NO_THROW(CheckTransition("ACCEPTED", "PREPARING", kStaff, std::nullopt));
  EXPECT_NO_THROW(CheckTransition("PREPARING", "OUT_FOR_DELIVERY", kAdmin, std::nullopt));
  EXPECT_NO_THROW(CheckTransition("OUT_FOR_DELIVERY", "DELIVERED", kStaff, std::nullopt));
  EXPECT_EQ(ErrcOf("CREATED", "PREPARING", kStaff), Errc::kConflict);
  EXPECT_EQ(ErrcOf("PREPARING", "ACCEPTED", kStaff), Errc::kConflict);
  EXPECT_EQ(ErrcOf("DELIVERED", "CREATED", kStaff), Errc::kConflict);
  EXPECT_EQ(ErrcOf("ACCEPTED", "ACCEPTED", kStaff), Errc::kConflict);
}

TEST(CheckTransition, CustomersMayOnlyCancelTheirOwnNewOrder) {
  EXPECT_NO_THROW(CheckTransition("CREATED", "CANCELLED", kOwner, std::nullopt));
  EXPECT_EQ(ErrcOf("CREATED", "CANCELLED", kStranger), Errc::kForbidden);
  EXPECT_EQ(ErrcOf("CREATED", "ACCEPTED", kOwner), Errc::kForbidden);
  EXPECT_EQ(ErrcOf("ACCEPTED", "CANCELLED", kOwner, "changed my mind"), Errc::kConflict);
}

TEST(CheckTransition, StaffCancelAnAcceptedOrderOnlyWithAReason) {
  EXPECT_NO_THROW(CheckTransition("CREATED", "CANCELLED", kStaff, std::nullopt));
  EXPECT_EQ(ErrcOf("ACCEPTED", "CANCELLED", kStaff), Errc::kValidation);
  EXPECT_NO_THROW(CheckTransition("PREPARING", "CANCELLED", kStaff, "out of dough"));
  EXPECT_EQ(ErrcOf("OUT_FOR_DELIVERY", "CANCELLED", kStaff, "late"), Errc::kConflict);
  EXPECT_EQ(ErrcOf("DELIVERED", "CANCELLED", kStaff, "late"), Errc::kConflict);
  EXPECT_EQ(ErrcOf("CANCELLED", "CANCELLED", kStaff, "again"), Errc::kConflict);
}

TEST(CheckTransition, TheConflictNamesTheCurrentState) {
  try {
    CheckTransition("DELIVERED", "ACCEPTED", kStaff, std::nullopt);
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.code(), "INVALID_TRANSITION");
    EXPECT_NE(e.detail().find("DELIVERED"), std::string::npos);
  }
}

TEST(ParseTransition, RejectsAnUnknownStatusAndTrimsTheReason) {
  EXPECT_THROW(ParseTransition({{"status", "COOKING"}}), core::Error);
  EXPECT_THROW(ParseTransition({{"reason", "x"}}), core::Error);
  const auto input = ParseTransition({{"status", "CANCELLED"}, {"reason", "  no dough  "}});
  EXPECT_EQ(input.status, "CANCELLED");
  EXPECT_EQ(input.reason, "no dough");
  EXPECT_FALSE(ParseTransition({{"status", "ACCEPTED"}, {"reason", "  "}}).reason);
}

TEST(ParseIfMatch, TakesTheVersionOrItsETag) {
  EXPECT_EQ(ParseIfMatch("3"), 3);
  EXPECT_EQ(ParseIfMatch("\"3\""), 3);
  EXPECT_EQ(ParseIfMatch("W/\"12\""), 12);
  EXPECT_EQ(ParseIfMatch(ETagFor(7)), 7);
  EXPECT_THROW(ParseIfMatch(""), core::Error);
  EXPECT_THROW(ParseIfMatch("*"), core::Error);
  EXPECT_THROW(ParseIfMatch("0"), core::Error);
  EXPECT_THROW(ParseIfMatch("3x"), core::Error);
}

TEST(ParseStatusFilter, ReadsACommaSeparatedListOnce) {
  EXPECT_TRUE(ParseStatusFilter(std::nullopt).empty());
  EXPECT_EQ(ParseStatusFilter("CREATED,ACCEPTED,CREATED"),
            (std::vector<std::string>{"CREATED", "ACCEPTED"}));
  EXPECT_THROW(ParseStatusFilter("CREATED,"), core::Error);
  EXPECT_THROW(ParseStatusFilter("created"), core::Error);
}

TEST(Cursor, RoundTripsAndRejectsGarbage) {
  EXPECT_EQ(DecodeCursor(EncodeCursor(42)), 42);
  EXPECT_THROW(DecodeCursor("abc"), core::Error);
  EXPECT_THROW(DecodeCursor("-1"), core::Error);
}

TEST(OrderStatusChangedEvent, CarriesTheMoveAndItsSequence) {
  const Transition move{"o",  "u",        "CREATED",  "CANCELLED", "2026-01-01T00:00:00.000Z",
                        "u",  "customer", "too slow", 2,           899,
                        "EUR"};
  const auto event = OrderStatusChangedEvent(move, "e", "req");
  EXPECT_EQ(event["eventType"], "OrderStatusChanged");
  EXPECT_EQ(event["data"]["from"], "CREATED");
  EXPECT_EQ(event["data"]["to"], "CANCELLED");
  EXPECT_EQ(event["data"]["sequence"], 2);
  EXPECT_EQ(event["data"]["reason"], "too slow");
  EXPECT_EQ(event["data"]["userId"], "u");
}

}  // namespace
}  // namespace comanda::orders
