#include "comanda/cache/async_redis.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <deque>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp needs std::exchange under C++20

#include "comanda/core/log.hpp"

namespace comanda::cache {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Commands beyond this many unanswered ones are not sent: the callers fall back instead.
constexpr std::size_t kMaxPending = 4096;

struct Pending {
  AsyncRedis::Callback done;  // empty for the connection's own AUTH/SELECT
};

}  // namespace

// Everything below runs on `strand`: hiredis's context is not thread-safe.
struct AsyncRedis::Impl {
  Impl(asio::io_context& io, RedisUrl redis_url, milliseconds command_timeout,
       milliseconds failure_backoff, std::function<void()> failure_hook)
      : strand{asio::make_strand(io)},
        socket{strand},
        watchdog{strand},
        url{std::move(redis_url)},
        timeout{command_timeout},
        backoff{failure_backoff},
        on_failure{std::move(failure_hook)} {}

  asio::strand<asio::io_context::executor_type> strand;
  asio::posix::stream_descriptor socket;  // watches hiredis's fd; released before hiredis closes it
  asio::steady_timer watchdog;
  RedisUrl url;
  milliseconds timeout;
  milliseconds backoff;
  std::function<void()> on_failure;

  redisAsyncContext* context = nullptr;
  std::uint64_t connection = 0;  // bumped per connection: waits of an older one do nothing
  bool connected = false;
  bool closing = false;
  bool reported_down = false;
  bool want_read = false;
  bool want_write = false;
  bool read_armed = false;
  bool write_armed = false;
  bool watchdog_armed = false;
  Clock::time_point connect_started{};
  Clock::time_point retry_after{};
  std::deque<Clock::time_point> sent;  // when each unanswered command was sent, oldest first

  void Connect() {
    connect_started = Clock::now();
    redisAsyncContext* c = redisAsyncConnect(url.host.c_str(), url.port);
    if (c == nullptr || c->err != 0) {
      if (c != nullptr) redisAsyncFree(c);
      Failed("connect");
      return;
    }
    boost::system::error_code ec;
    socket.assign(c->c.fd, ec);
    if (ec) {
      redisAsyncFree(c);
      Failed("connect");
      return;
    }
    context = c;
    ++connection;
    connected = false;
    c->data = this;
    c->ev.data = this;
    c->ev.addRead = [](void* self) { static_cast<Impl*>(self)->AddRead(); };
    c->ev.delRead = [](void* self) { static_cast<Impl*>(self)->want_read = false; };
    c->ev.addWrite = [](void* self) { static_cast<Impl*>(self)->AddWrite(); };
    c->ev.delWrite = [](void* self) { static_cast<Impl*>(self)->want_write = false; };
    c->ev.cleanup = [](void* self) { static_cast<Impl*>(self)->Detach(); };
    redisAsyncSetConnectCallback(c, &OnConnect);
    redisAsyncSetDisconnectCallback(c, &OnDisconnect);
    if (!url.password.empty()) Send({"AUTH", url.password}, {});
    if (url.db != 0) Send({"SELECT", std::to_string(url.db)}, {});
    AddWrite();  // the socket turning writable completes the non-blocking connect
    ArmWatchdog();
  }

  // hiredis is about to close the fd and free the context.
  void Detach() {
    socket.release();  // cancels our waits; hiredis closes the fd itself
    context = nullptr;
    connected = false;
    want_read = want_write = read_armed = write_armed = false;
    sent.clear();
  }

  void Failed(std::string_view during) {
    retry_after = Clock::now() + backoff;
    if (!reported_down) {
      reported_down = true;
      core::log::Warn("redis unavailable to the asynchronous reader",
                      {{"host", url.host}, {"port", url.port}, {"during", during}});
    }
    if (on_failure) on_failure();
  }

  static void OnConnect(const redisAsyncContext* c, int status) {
    auto* self = static_cast<Impl*>(c->data);
    if (status != REDIS_OK) {  // hiredis frees the context after this returns
      if (!self->closing) self->Failed("connect");
      return;
    }
    self->connected = true;
    if (self->reported_down) {
      self->reported_down = false;
      core::log::Info("redis available again to the asynchronous reader");
    }
  }

  static void OnDisconnect(const redisAsyncContext* c, int /*status*/) {
    auto* self = static_cast<Impl*>(c->data);
    if (!self->closing) self->Failed("read");
  }

  static void OnReply(redisAsyncContext* c, void* raw_reply, void* privdata) {
    std::unique_ptr<Pending> pending{static_cast<Pending*>(privdata)};
    auto* self = static_cast<Impl*>(c->data);
    if (!self->sent.empty()) self->sent.pop_front();
    if (self->closing) return;
    const auto* reply = static_cast<const redisReply*>(raw_reply);
    if (!pending->done) {  // AUTH or SELECT: without them the connection is of no use
      if (reply == nullptr || reply->type == REDIS_REPLY_ERROR) {
        core::log::Warn(
            "redis refused the connection's setup",
            {{"error", reply != nullptr ? std::string{reply->str, reply->len} : "no reply"}});
        redisAsyncDisconnect(c);
      }
      return;
    }
    if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) {
      pending->done(std::nullopt);
      return;
    }
    Values values;
    values.reserve(reply->elements);
    for (std::size_t i = 0; i < reply->elements; ++i) {
      const auto* element = reply->element[i];
      if (element->type == REDIS_REPLY_STRING) {
        values.emplace_back(std::string{element->str, element->len});
      } else {
        values.emplace_back(std::nullopt);
      }
    }
    pending->done(std::move(values));
  }

  void Send(const std::vector<std::string>& args, Callback done) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    auto pending = std::make_unique<Pending>(Pending{std::move(done)});
    if (redisAsyncCommandArgv(context, &OnReply, pending.get(), static_cast<int>(args.size()),
                              argv.data(), lengths.data()) != REDIS_OK) {
      if (pending->done) pending->done(std::nullopt);
      return;
    }
    static_cast<void>(pending.release());  // OnReply owns it now
    sent.push_back(Clock::now());
    ArmWatchdog();
  }

  void MGet(std::vector<std::string> keys, Callback done) {
    if (closing) return;
    if (context == nullptr) {
      if (Clock::now() >= retry_after) Connect();
      done(std::nullopt);
      return;
    }
    if (!connected || sent.size() >= kMaxPending) {
      done(std::nullopt);
      return;
    }
    keys.insert(keys.begin(), "MGET");
    Send(keys, std::move(done));
  }

  void AddRead() {
    want_read = true;
    if (!read_armed) Arm(read_armed, asio::posix::stream_descriptor::wait_read);
  }

  void AddWrite() {
    want_write = true;
    if (!write_armed) Arm(write_armed, asio::posix::stream_descriptor::wait_write);
  }

  // Waits until the fd is ready and lets hiredis read or write, for as long as hiredis wants.
  void Arm(bool& armed, asio::posix::stream_descriptor::wait_type type) {
    armed = true;
    socket.async_wait(type, asio::bind_executor(strand, [this, &armed, type, id = connection](
                                                            const boost::system::error_code& ec) {
                        if (id != connection) return;  // the connection this wait was for is gone
                        armed = false;
                        if (ec || context == nullptr) return;
                        const bool reading = type == asio::posix::stream_descriptor::wait_read;
                        if (reading ? want_read : want_write) {
                          reading ? redisAsyncHandleRead(context) : redisAsyncHandleWrite(context);
                        }
                        // hiredis may have freed the context meanwhile (an error, or its
                        // disconnect).
                        if (id == connection && context != nullptr && !armed &&
                            (reading ? want_read : want_write))
                          Arm(armed, type);
                      }));
  }

  // A command or a connect that takes longer than `timeout` drops the connection: its callers
  // get nullopt (and fall back) instead of waiting on a server that does not answer.
  void ArmWatchdog() {
    if (watchdog_armed) return;
    watchdog_armed = true;
    watchdog.expires_after(std::max(timeout / 4, milliseconds{5}));
    watchdog.async_wait(asio::bind_executor(strand, [this](const boost::system::error_code& ec) {
      watchdog_armed = false;
      if (ec || closing || context == nullptr) return;
      const auto now = Clock::now();
      const bool stuck = (!connected && now - connect_started > timeout) ||
                         (!sent.empty() && now - sent.front() > timeout);
      if (stuck) {
        redisAsyncFree(context);  // every pending callback gets nullopt; Detach runs
        Failed("timeout");
        return;
      }
      if (!connected || !sent.empty()) ArmWatchdog();
    }));
  }
};

AsyncRedis::AsyncRedis(boost::asio::io_context& io, RedisUrl url, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds backoff, std::function<void()> on_failure)
    : impl_{std::make_unique<Impl>(io, std::move(url), timeout, backoff, std::move(on_failure))} {
  asio::post(impl_->strand, [impl = impl_.get()] { impl->Connect(); });
}

AsyncRedis::~AsyncRedis() {
  // The io_context has stopped running by now (the server returned), so nothing races this.
  impl_->closing = true;
  if (impl_->context != nullptr) redisAsyncFree(impl_->context);
  impl_->watchdog.cancel();
}

void AsyncRedis::MGet(std::vector<std::string> keys, Callback done) {
  asio::dispatch(impl_->strand,
                 [impl = impl_.get(), keys = std::move(keys), done = std::move(done)]() mutable {
                   impl->MGet(std::move(keys), std::move(done));
                 });
}

}  // namespace comanda::cache
