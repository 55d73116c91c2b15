#include "comanda/bus/connection.hpp"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>

#include <atomic>

#include "comanda/core/log.hpp"

namespace comanda::bus {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string Describe(const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "ok";
    case AMQP_RESPONSE_NONE:
      return "missing RPC reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return amqp_error_string2(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        const auto* close = static_cast<const amqp_connection_close_t*>(reply.reply.decoded);
        return "connection closed by the broker: " +
               std::string{static_cast<const char*>(close->reply_text.bytes),
                           close->reply_text.len};
      }
      if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const auto* close = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
        return "channel closed by the broker: " +
               std::string{static_cast<const char*>(close->reply_text.bytes),
                           close->reply_text.len};
      }
      return "broker error";
  }
  return "unknown reply";
}

}  // namespace

namespace {
// The node that last accepted a connection in this process: where the next connection starts.
std::atomic<std::size_t> last_good_node{0};
}  // namespace

Connection::Connection(const ConnectOptions& options) : options_{options} {
  const auto count = options_.urls.size();
  if (count == 0) throw BrokerError{"no broker URL given"};
  const auto first = last_good_node.load() % count;
  std::string errors;
  for (std::size_t i = 0; i < count; ++i) {
    node_ = (first + i) % count;
    try {
      Open(options_.urls[node_]);
      if (node_ != first) {
        core::log::Warn("connected to another broker node", {{"node", node().Redacted()}});
      }
      last_good_node = node_;
      return;
    } catch (const BrokerError& e) {
      errors += (errors.empty() ? "" : "; ") + std::string{e.what()};
    }
  }
  throw BrokerError{errors};
}

void Connection::Open(const AmqpUrl& url) {
  // A failed attempt leaves nothing behind: Close() resets the state for the next node.
  broken_ = false;
  channel_open_ = false;
  state_ = amqp_new_connection();
  if (state_ == nullptr) throw BrokerError{"amqp_new_connection failed"};
  try {
    amqp_socket_t* socket = amqp_tcp_socket_new(state_);
    if (socket == nullptr) throw BrokerError{"amqp_tcp_socket_new failed"};
    const auto timeout = ToTimeval(options_.timeout);
    amqp_set_handshake_timeout(state_, &timeout);
    amqp_set_rpc_timeout(state_, &timeout);
    if (const int status = amqp_socket_open_noblock(socket, url.host.c_str(), url.port, &timeout);
        status != AMQP_STATUS_OK) {
      broken_ = true;
      throw BrokerError{"cannot connect to " + url.Redacted() + ": " + amqp_error_string2(status)};
    }
    amqp_table_entry_t name_entry;
    name_entry.key = amqp_cstring_bytes("connection_name");
    name_entry.value.kind = AMQP_FIELD_KIND_UTF8;
    name_entry.value.value.bytes = amqp_cstring_bytes(options_.connection_name.c_str());
    const amqp_table_t client_properties{options_.connection_name.empty() ? 0 : 1, &name_entry};
    // Heartbeats are off: rabbitmq-c only services them inside library calls, so an idle publisher
    // would be disconnected; a dead connection shows up as a failed publish or a confirm timeout.
    const auto login = amqp_login_with_properties(
        state_, url.vhost.c_str(), 0, AMQP_DEFAULT_FRAME_SIZE, 0, &client_properties,
        AMQP_SASL_METHOD_PLAIN, url.user.c_str(), url.password.c_str());
    if (login.reply_type != AMQP_RESPONSE_NORMAL) {
      broken_ = true;
      throw BrokerError{"login to " + url.Redacted() + " failed: " + Describe(login)};
    }
    amqp_channel_open(state_, kChannel);
    CheckReply("channel.open on " + url.Redacted());
    channel_open_ = true;
  } catch (...) {
    Close();
    throw;
  }
}

Connection::~Connection() { Close(); }

void Connection::Close() noexcept {
  if (state_ == nullptr) return;
  if (!broken_) {
    if (channel_open_) amqp_channel_close(state_, kChannel, AMQP_REPLY_SUCCESS);
    amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(state_);
  state_ = nullptr;
}

void Connection::CheckReply(std::string_view what) {
  const auto reply = amqp_get_rpc_reply(state_);
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) return;
  broken_ = true;
  throw BrokerError{std::string{what} + " failed: " + Describe(reply)};
}

void Connection::DeclareExchange(const std::string& name, const std::string& type, bool durable) {
  amqp_exchange_declare(state_, kChannel, amqp_cstring_bytes(name.c_str()),
                        amqp_cstring_bytes(type.c_str()), 0, durable ? 1 : 0, 0, 0,
                        amqp_empty_table);
  CheckReply("exchange.declare " + name);
}

void Connection::SelectConfirms() {
  amqp_confirm_select(state_, kChannel);
  CheckReply("confirm.select");
}

}  // namespace comanda::bus
