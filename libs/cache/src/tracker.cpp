#include "comanda/cache/tracker.hpp"

#include <poll.h>

#include <stdexcept>

#include "comanda/core/log.hpp"
#include "connect.hpp"

namespace comanda::cache {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kChannel = "__redis__:invalidate";
// How long one Step waits for a message, so that a stop is seen soon.
constexpr std::chrono::milliseconds kSlice{100};

redisContext* Context(void* raw) { return static_cast<redisContext*>(raw); }

struct FreeReply {
  void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, FreeReply>;

ReplyPtr Expect(redisContext* context, const std::vector<std::string>& args, int type) {
  ReplyPtr reply{detail::SendArgv(context, args)};
  if (!reply || reply->type != type) {
    throw std::runtime_error{args.front() + " " + args.at(1) + " was refused" +
                             (reply && reply->type == REDIS_REPLY_ERROR
                                  ? ": " + std::string{reply->str, reply->len}
                                  : std::string{})};
  }
  return reply;
}

std::string_view Text(const redisReply* reply) {
  return reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS
             ? std::string_view{reply->str, reply->len}
             : std::string_view{};
}

}  // namespace

InvalidationTracker::InvalidationTracker(RedisUrl url, std::string prefix,
                                         std::chrono::milliseconds timeout,
                                         std::chrono::milliseconds heartbeat)
    : url_{std::move(url)}, prefix_{std::move(prefix)}, timeout_{timeout}, heartbeat_{heartbeat} {}

InvalidationTracker::~InvalidationTracker() {
  // Not Drop(): whoever listens may be gone by now (it was told when the worker stopped).
  if (context_ != nullptr) redisFree(Context(context_));
}

void InvalidationTracker::Subscribe() {
  auto* context = detail::Connect(url_, timeout_);
  if (context == nullptr) throw std::runtime_error{"cannot connect to redis"};
  context_ = context;
  const auto id = Expect(context, {"CLIENT", "ID"}, REDIS_REPLY_INTEGER)->integer;
  Expect(context,
         {"CLIENT", "TRACKING", "ON", "REDIRECT", std::to_string(id), "BCAST", "PREFIX", prefix_},
         REDIS_REPLY_STATUS);
  Expect(context, {"SUBSCRIBE", kChannel}, REDIS_REPLY_ARRAY);
  last_heard_ = Clock::now();
  ping_sent_ = false;
  // From here on every change is reported; whatever was kept before the link was made may
  // already be stale, so the listener starts empty.
  Tell(std::nullopt);
  live_ = true;
  core::log::Info("cache invalidations followed", {{"prefix", prefix_}});
}

void InvalidationTracker::Step(std::stop_token stop) {
  if (context_ == nullptr) Subscribe();
  if (Dispatch() || stop.stop_requested()) return;
  const auto silent = Clock::now() - last_heard_;
  if (silent >= 2 * heartbeat_) throw std::runtime_error{"redis did not answer a ping"};
  if (silent >= heartbeat_ && !ping_sent_) Ping();
  pollfd watch{Context(context_)->fd, POLLIN, 0};
  const int ready = ::poll(&watch, 1, static_cast<int>(kSlice.count()));
  if (ready < 0 && errno != EINTR) throw std::runtime_error{"poll failed on the redis link"};
  if (ready > 0 && redisBufferRead(Context(context_)) != REDIS_OK) {
    throw std::runtime_error{"redis link lost"};
  }
}

bool InvalidationTracker::Dispatch() {
  bool any = false;
  void* raw = nullptr;
  while (true) {
    if (redisGetReplyFromReader(Context(context_), &raw) != REDIS_OK) {
      throw std::runtime_error{"unreadable reply on the redis link"};
    }
    if (raw == nullptr) return any;
    const ReplyPtr reply{static_cast<redisReply*>(raw)};
    any = true;
    last_heard_ = Clock::now();
    ping_sent_ = false;
    // ["message", channel, [key...] or nil] for invalidations; ["pong", ""] answers a ping.
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
        Text(reply->element[0]) != "message") {
      continue;
    }
    const auto* keys = reply->element[2];
    if (keys->type != REDIS_REPLY_ARRAY) {
      Tell(std::nullopt);  // a flush
      continue;
    }
    for (std::size_t i = 0; i < keys->elements; ++i) Tell(Text(keys->element[i]));
  }
}

void InvalidationTracker::Ping() {
  auto* context = Context(context_);
  if (redisAppendCommand(context, "PING") != REDIS_OK) throw std::runtime_error{"ping failed"};
  int done = 0;
  while (done == 0) {
    if (redisBufferWrite(context, &done) != REDIS_OK) throw std::runtime_error{"ping failed"};
  }
  ping_sent_ = true;
}

std::string_view InvalidationTracker::Recover(const std::exception& /*error*/) noexcept {
  Drop();
  return "cache invalidations not followed: memory copies off, retrying";
}

void InvalidationTracker::Stopped() noexcept { Drop(); }

void InvalidationTracker::Drop() noexcept {
  live_ = false;
  if (context_ != nullptr) redisFree(Context(context_));
  context_ = nullptr;
  try {
    Tell(std::nullopt);
  } catch (...) {  // NOLINT(bugprone-empty-catch): the listener only clears memory
  }
}

void InvalidationTracker::Tell(std::optional<std::string_view> key) const {
  if (listener_) listener_(key);
}

}  // namespace comanda::cache
