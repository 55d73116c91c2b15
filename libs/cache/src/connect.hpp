// hiredis helpers shared by the clients in this library (not installed: hiredis stays inside).
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <string>
#include <vector>

#include "comanda/cache/redis.hpp"

namespace comanda::cache::detail {

/// A connection with `timeout` on connect, reads and writes, authenticated and on the URL's
/// database; nullptr when Redis cannot be reached or refuses.
redisContext* Connect(const RedisUrl& url, std::chrono::milliseconds timeout);

/// Runs one command with binary-safe arguments; the caller frees the reply (nullptr on I/O error).
redisReply* SendArgv(redisContext* context, const std::vector<std::string>& args);

}  // namespace comanda::cache::detail
