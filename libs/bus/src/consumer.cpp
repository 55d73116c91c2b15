#include "comanda/bus/consumer.hpp"

#include <amqp.h>
#include <sys/time.h>

#include "delivery.hpp"

namespace comanda::bus {
namespace {

std::string Text(const amqp_bytes_t& bytes) {
  return bytes.len == 0 ? std::string{}
                        : std::string{static_cast<const char*>(bytes.bytes), bytes.len};
}

std::optional<std::string> ScalarText(const amqp_field_value_t& value) {
  switch (value.kind) {
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES:
      return Text(value.value.bytes);
    case AMQP_FIELD_KIND_BOOLEAN:
      return std::string{value.value.boolean != 0 ? "true" : "false"};
    case AMQP_FIELD_KIND_I8:
      return std::to_string(value.value.i8);
    case AMQP_FIELD_KIND_U8:
      return std::to_string(value.value.u8);
    case AMQP_FIELD_KIND_I16:
      return std::to_string(value.value.i16);
    case AMQP_FIELD_KIND_U16:
      return std::to_string(value.value.u16);
    case AMQP_FIELD_KIND_I32:
      return std::to_string(value.value.i32);
    case AMQP_FIELD_KIND_U32:
      return std::to_string(value.value.u32);
    case AMQP_FIELD_KIND_I64:
      return std::to_string(value.value.i64);
    case AMQP_FIELD_KIND_U64:
    case AMQP_FIELD_KIND_TIMESTAMP:
      return std::to_string(value.value.u64);
    default:
      return std::nullopt;  // tables, arrays, floats, decimals, void
  }
}

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

}  // namespace

std::optional<std::string> DeliveryProperties::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

DeliveryProperties ReadProperties(const amqp_basic_properties_t& p) {
  DeliveryProperties out;
  if (p._flags & AMQP_BASIC_MESSAGE_ID_FLAG) out.message_id = Text(p.message_id);
  if (p._flags & AMQP_BASIC_TYPE_FLAG) out.type = Text(p.type);
  if (p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG) out.content_type = Text(p.content_type);
  if (p._flags & AMQP_BASIC_CORRELATION_ID_FLAG) out.correlation_id = Text(p.correlation_id);
  if (p._flags & AMQP_BASIC_TIMESTAMP_FLAG) out.timestamp = static_cast<std::int64_t>(p.timestamp);
  if (p._flags & AMQP_BASIC_HEADERS_FLAG) {
    for (int i = 0; i < p.headers.num_entries; ++i) {
      const auto& entry = p.headers.entries[i];
      if (auto value = ScalarText(entry.value)) {
        out.headers.emplace_back(Text(entry.key), std::move(*value));
      }
    }
  }
  return out;
}

Consumer::Consumer(ConsumerOptions options) : options_{std::move(options)} {}

Consumer::~Consumer() = default;

void Consumer::Disconnect() noexcept { connection_.reset(); }

void Consumer::Fail(const std::string& what) {
  if (connection_) connection_->MarkBroken();
  connection_.reset();
  throw BrokerError{what};
}

void Consumer::Connect() {
  Disconnect();
  auto connection = std::make_unique<Connection>(options_.connect);
  if (options_.on_connect) options_.on_connect(*connection);
  amqp_basic_qos(connection->state(), Connection::kChannel, 0, options_.prefetch, 0);
  connection->CheckReply("basic.qos");
  amqp_basic_consume(connection->state(), Connection::kChannel,
                     amqp_cstring_bytes(options_.queue.c_str()), amqp_empty_bytes, /*no_local=*/0,
                     /*no_ack=*/0, /*exclusive=*/0, amqp_empty_table);
  connection->CheckReply("basic.consume " + options_.queue);
  connection_ = std::move(connection);
}

std::optional<Delivery> Consumer::Next(std::chrono::milliseconds timeout) {
  if (!connection_) Fail("consumer is not connected");
  auto* state = connection_->state();
  amqp_maybe_release_buffers(state);
  amqp_envelope_t envelope{};
  const auto tv = ToTimeval(timeout);
  const auto reply = amqp_consume_message(state, &envelope, &tv, 0);
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
    Delivery delivery;
    delivery.delivery_tag = envelope.delivery_tag;
    delivery.redelivered = envelope.redelivered != 0;
    delivery.exchange = Text(envelope.exchange);
    delivery.routing_key = Text(envelope.routing_key);
    delivery.body = Text(envelope.message.body);
    delivery.properties = ReadProperties(envelope.message.properties);
    amqp_destroy_envelope(&envelope);
    return delivery;
  }
  if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
      reply.library_error == AMQP_STATUS_TIMEOUT) {
    return std::nullopt;
  }
  if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
      reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
    // A frame other than a delivery: on a consume-only channel that is a close or a cancel.
    amqp_frame_t frame{};
    const auto no_wait = ToTimeval(std::chrono::milliseconds{0});
    const int status = amqp_simple_wait_frame_noblock(state, &frame, &no_wait);
    if (status == AMQP_STATUS_OK && frame.frame_type == AMQP_FRAME_METHOD) {
      switch (frame.payload.method.id) {
        case AMQP_CHANNEL_CLOSE_METHOD:
          Fail("the broker closed the consumer's channel");
        case AMQP_CONNECTION_CLOSE_METHOD:
          Fail("the broker closed the consumer's connection");
        case AMQP_BASIC_CANCEL_METHOD:
          Fail("the broker cancelled the consumer (queue deleted?)");
        default:
          return std::nullopt;  // nothing we asked for; ignore it
      }
    }
    if (status == AMQP_STATUS_OK || status == AMQP_STATUS_TIMEOUT) return std::nullopt;
    Fail(std::string{"reading from the broker failed: "} + amqp_error_string2(status));
  }
  if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
    Fail(std::string{"consuming failed: "} + amqp_error_string2(reply.library_error));
  }
  Fail("consuming failed: unexpected reply from the broker");
}

void Consumer::Ack(std::uint64_t delivery_tag) {
  if (!connection_) Fail("consumer is not connected");
  if (const int status =
          amqp_basic_ack(connection_->state(), Connection::kChannel, delivery_tag, 0);
      status != AMQP_STATUS_OK) {
    Fail(std::string{"basic.ack failed: "} + amqp_error_string2(status));
  }
}

void Consumer::Reject(std::uint64_t delivery_tag, bool requeue) {
  if (!connection_) Fail("consumer is not connected");
  if (const int status = amqp_basic_reject(connection_->state(), Connection::kChannel, delivery_tag,
                                           requeue ? 1 : 0);
      status != AMQP_STATUS_OK) {
    Fail(std::string{"basic.reject failed: "} + amqp_error_string2(status));
  }
}

}  // namespace comanda::bus
