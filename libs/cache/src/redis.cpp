#include "comanda/cache/redis.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <memory>

#include "comanda/core/log.hpp"
#include "connect.hpp"

namespace comanda::cache {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::int64_t Now() { return SteadyClock::now().time_since_epoch().count(); }

timeval ToTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

bool ParseInt(std::string_view text, int& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && ptr == text.data() + text.size();
}

}  // namespace

namespace detail {

redisReply* SendArgv(redisContext* context, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  return static_cast<redisReply*>(
      redisCommandArgv(context, static_cast<int>(args.size()), argv.data(), lengths.data()));
}

redisContext* Connect(const RedisUrl& url, std::chrono::milliseconds timeout) {
  redisContext* context = redisConnectWithTimeout(url.host.c_str(), url.port, ToTimeval(timeout));
  if (context == nullptr) return nullptr;
  if (context->err != 0 || redisSetTimeout(context, ToTimeval(timeout)) != REDIS_OK) {
    redisFree(context);
    return nullptr;
  }
  auto setup = [context](const std::vector<std::string>& args) {
    auto* reply = SendArgv(context, args);
    const bool ok = reply != nullptr && reply->type != REDIS_REPLY_ERROR;
    if (reply != nullptr) freeReplyObject(reply);
    return ok;
  };
  if ((!url.password.empty() && !setup({"AUTH", url.password})) ||
      (url.db != 0 && !setup({"SELECT", std::to_string(url.db)}))) {
    redisFree(context);
    return nullptr;
  }
  return context;
}

}  // namespace detail

// A copy of what a command returned, so that hiredis memory never leaves this file.
struct Redis::Reply {
  int type = 0;
  long long integer = 0;
  std::string text;
  std::vector<std::optional<std::string>> elements;
};

std::optional<RedisUrl> ParseRedisUrl(const std::string& url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.rfind(kScheme, 0) != 0) return std::nullopt;
  std::string_view rest{url};
  rest.remove_prefix(kScheme.size());
  RedisUrl out;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    auto user_info = rest.substr(0, at);
    const auto colon = user_info.find(':');
    out.password =
        std::string{colon == std::string_view::npos ? user_info : user_info.substr(colon + 1)};
    rest.remove_prefix(at + 1);
  }
  const auto slash = rest.find('/');
  auto host_port = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const auto db = rest.substr(slash + 1);
    if (!db.empty() && (!ParseInt(db, out.db) || out.db < 0 || out.db > 15)) return std::nullopt;
  }
  const auto colon = host_port.rfind(':');
  if (colon != std::string_view::npos) {
    if (!ParseInt(host_port.substr(colon + 1), out.port) || out.port < 1 || out.port > 65535) {
      return std::nullopt;
    }
    host_port = host_port.substr(0, colon);
  }
  if (host_port.empty()) return std::nullopt;
  out.host = std::string{host_port};
  return out;
}

Redis::Redis(RedisUrl url, std::chrono::milliseconds timeout, std::chrono::milliseconds backoff)
    : url_{std::move(url)}, timeout_{timeout}, backoff_{backoff} {}

Redis::~Redis() {
  for (void* context : idle_) redisFree(static_cast<redisContext*>(context));
}

void* Redis::Connect() const { return detail::Connect(url_, timeout_); }

void Redis::Failed(void* context) {
  if (context != nullptr) redisFree(static_cast<redisContext*>(context));
  // The idle connections most likely point at the same dead server: drop them all, so that the
  // first call after the backoff opens a fresh one instead of finding a stale one.
  std::vector<void*> stale;
  {
    std::lock_guard lock{mutex_};
    stale.swap(idle_);
  }
  for (void* idle : stale) redisFree(static_cast<redisContext*>(idle));
  down_until_ = Now() + std::chrono::duration_cast<SteadyClock::duration>(backoff_).count();
  stale_ = true;
  if (!failed_.exchange(true))
    core::log::Warn("redis unavailable", {{"host", url_.host}, {"port", url_.port}});
}

std::optional<Redis::Reply> Redis::Command(const std::vector<std::string>& args) {
  if (Now() < down_until_.load()) return std::nullopt;
  void* raw = nullptr;
  {
    std::lock_guard lock{mutex_};
    if (!idle_.empty()) {
      raw = idle_.back();
      idle_.pop_back();
    }
  }
  if (raw == nullptr) raw = Connect();
  if (raw == nullptr) {
    Failed(nullptr);
    return std::nullopt;
  }
  if (failed_.exchange(false)) {
    // Before this command runs, so that its own answer already sees what the callback did.
    core::log::Info("redis available again");
    if (on_recover_) on_recover_();
    if (!failed_) stale_ = false;  // unless the recovery itself failed
  }
  auto* context = static_cast<redisContext*>(raw);
  auto* reply = detail::SendArgv(context, args);
  if (reply == nullptr || context->err != 0) {  // I/O error or timeout: the connection is unusable
    if (reply != nullptr) freeReplyObject(reply);
    Failed(context);
    return std::nullopt;
  }
  Reply out;
  out.type = reply->type;
  out.integer = reply->integer;
  if (reply->str != nullptr) out.text.assign(reply->str, reply->len);
  for (std::size_t i = 0; i < reply->elements; ++i) {
    const auto* element = reply->element[i];
    if (element->type == REDIS_REPLY_STRING) {
      out.elements.emplace_back(std::string{element->str, element->len});
    } else {
      out.elements.emplace_back(std::nullopt);
    }
  }
  freeReplyObject(reply);
  {
    std::lock_guard lock{mutex_};
    idle_.push_back(context);
  }
  if (out.type == REDIS_REPLY_ERROR) {
    core::log::Warn("redis command failed", {{"command", args.front()}, {"error", out.text}});
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<std::optional<std::string>>> Redis::MGet(
    const std::vector<std::string>& keys) {
  std::vector<std::string> args{"MGET"};
  args.insert(args.end(), keys.begin(), keys.end());
  auto reply = Command(args);
  if (!reply || reply->type != REDIS_REPLY_ARRAY) return std::nullopt;
  return std::move(reply->elements);
}

bool Redis::SetEx(const std::string& key, const std::string& value, std::chrono::seconds ttl) {
  return Command({"SET", key, value, "EX", std::to_string(ttl.count())}).has_value();
}

std::optional<long long> Redis::Incr(const std::string& key) {
  auto reply = Command({"INCR", key});
  if (!reply || reply->type != REDIS_REPLY_INTEGER) return std::nullopt;
  return reply->integer;
}

bool Redis::Ping() {
  const auto reply = Command({"PING"});
  return reply && reply->type == REDIS_REPLY_STATUS;
}

}  // namespace comanda::cache
