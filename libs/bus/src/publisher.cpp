#include "comanda/bus/publisher.hpp"

#include <amqp.h>
#include <sys/time.h>

#include <algorithm>
#include <vector>

#include "properties.hpp"

namespace comanda::bus {
namespace {

using Clock = std::chrono::steady_clock;

timeval Remaining(Clock::time_point deadline) {
  const auto left =
      std::max(std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()),
               std::chrono::microseconds{0});
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(left.count() / 1'000'000);
  tv.tv_usec = static_cast<suseconds_t>(left.count() % 1'000'000);
  return tv;
}

}  // namespace

Publisher::Publisher(PublisherOptions options) : options_{std::move(options)} {}

Publisher::~Publisher() = default;

void Publisher::Disconnect() noexcept { connection_.reset(); }

void Publisher::EnsureConnected() {
  if (connection_) return;
  auto connection = std::make_unique<Connection>(options_.connect);
  for (const auto& exchange : options_.exchanges) {
    connection->DeclareExchange(exchange.name, exchange.type, true);
  }
  connection->SelectConfirms();
  connection_ = std::move(connection);
  next_tag_ = 1;
}

void Publisher::Send(const Message& message) {
  const AmqpProperties properties{message.properties};
  const int status = amqp_basic_publish(
      connection_->state(), Connection::kChannel, amqp_cstring_bytes(message.exchange.c_str()),
      amqp_cstring_bytes(message.routing_key.c_str()), /*mandatory=*/1, /*immediate=*/0,
      &properties.get(), amqp_bytes_t{message.body.size(), const_cast<char*>(message.body.data())});
  if (status != AMQP_STATUS_OK) {
    throw BrokerError{std::string{"basic.publish failed: "} + amqp_error_string2(status)};
  }
}

void Publisher::Publish(const Message& message) { PublishAll({message}); }

void Publisher::PublishAll(const std::vector<Message>& messages) {
  if (messages.empty()) return;
  try {
    EnsureConnected();
    const auto first = next_tag_;
    for (const auto& message : messages) {
      Send(message);
      ++next_tag_;
    }
    WaitForConfirms(first, next_tag_ - 1);
    amqp_maybe_release_buffers(connection_->state());
  } catch (const BrokerError&) {
    // Whatever happened, the channel's confirm sequence is unknown now: start over next time.
    if (connection_) connection_->MarkBroken();
    connection_.reset();
    throw;
  }
}

void Publisher::WaitForConfirms(std::uint64_t first, std::uint64_t last) {
  const auto deadline = Clock::now() + options_.confirm_timeout;
  auto* state = connection_->state();
  bool returned = false;
  std::vector<bool> acked(last - first + 1, false);
  std::size_t waiting = acked.size();
  const auto ack = [&](std::uint64_t tag) {
    if (tag < first || tag > last || acked[tag - first]) return;
    acked[tag - first] = true;
    --waiting;
  };
  while (true) {
    amqp_frame_t frame{};
    const auto timeout = Remaining(deadline);
    const int status = amqp_simple_wait_frame_noblock(state, &frame, &timeout);
    if (status == AMQP_STATUS_TIMEOUT) {
      throw BrokerError{"no publisher confirm within " +
                        std::to_string(options_.confirm_timeout.count()) + " ms"};
    }
    if (status != AMQP_STATUS_OK) {
      throw BrokerError{std::string{"waiting for a confirm failed: "} + amqp_error_string2(status)};
    }
    if (frame.frame_type != AMQP_FRAME_METHOD) continue;
    switch (frame.payload.method.id) {
      case AMQP_BASIC_ACK_METHOD: {
        const auto* answer = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
        if (answer->multiple) {  // every tag up to this one
          for (auto tag = first; tag <= std::min(answer->delivery_tag, last); ++tag) ack(tag);
        } else {
          ack(answer->delivery_tag);  // an earlier batch's tag (after a timeout) is ignored
        }
        if (waiting > 0) continue;
        // A returned message is still acked; the return came first and means "no queue got it".
        if (returned) throw BrokerError{"message returned: no queue is bound for its routing key"};
        return;
      }
      case AMQP_BASIC_NACK_METHOD:
        throw BrokerError{"message nacked by the broker"};
      case AMQP_BASIC_RETURN_METHOD: {
        returned = true;
        amqp_message_t content{};  // the returned message's header and body frames follow
        const auto reply = amqp_read_message(state, frame.channel, &content, 0);
        if (reply.reply_type == AMQP_RESPONSE_NORMAL) amqp_destroy_message(&content);
        break;
      }
      case AMQP_CHANNEL_CLOSE_METHOD:
      case AMQP_CONNECTION_CLOSE_METHOD:
        throw BrokerError{"the broker closed the channel while publishing"};
      default:
        break;
    }
  }
}

}  // namespace comanda::bus
