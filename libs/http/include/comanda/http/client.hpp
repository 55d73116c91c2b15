#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace comanda::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct ClientResponse {
  int status = 0;
  std::string body;
  Headers headers;  // names lower-cased
};

struct ClientOptions {
  std::string name;                         // the dependency, for logs and errors: "users-service"
  std::string base_url;                     // "http://localhost:3001"
  std::chrono::milliseconds timeout{2000};  // the whole call
  std::chrono::milliseconds connect_timeout{1000};
  std::size_t max_response_bytes = 1024 * 1024;
};

struct Call;
struct CallResult;

/// A blocking HTTP client for calls between services, on libcurl. Thread-safe: each call borrows a
/// keep-alive handle from a small pool. Passes on the current request id. A connection failure,
/// a timeout or an oversized answer throws core::Error{kUnavailable}; any HTTP status is returned.
class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  ClientResponse Get(std::string_view path, const Headers& headers = {}) const;
  ClientResponse Post(std::string_view path, std::string body, const Headers& headers = {}) const;

  const ClientOptions& options() const noexcept { return options_; }

 private:
  friend std::vector<CallResult> GetAll(const std::vector<Call>& calls);
  ClientResponse Perform(const char* method, std::string_view path, const std::string* body,
                         const Headers& headers) const;
  void* Borrow() const;
  void Return(void* handle) const;

  ClientOptions options_;
  mutable std::mutex mutex_;
  mutable std::vector<void*> idle_;  // CURL* handles with live connections
};

/// One GET of a batch that GetAll runs.
struct Call {
  const Client* client;
  std::string path;
  Headers headers;
};

/// The outcome of one call of a batch: its response, or the core::Error that Client::Get would
/// have thrown; `elapsed` is the call's own duration.
struct CallResult {
  std::optional<ClientResponse> response;
  std::exception_ptr error;
  std::chrono::duration<double> elapsed{};
};

/// Runs GETs at the same time (libcurl multi on the calling thread, one keep-alive connection
/// cache per thread) and returns when all are done, each within its own client's deadline.
/// Results come in the order of `calls`. Passes on the current request id like Client::Get.
std::vector<CallResult> GetAll(const std::vector<Call>& calls);

/// A fetch function for a document at `path` (e.g. a JWK set): the body of a 200 answer;
/// anything else throws core::Error{kUnavailable}. `client` must outlive the function.
std::function<std::string()> DocumentFetcher(const Client& client, std::string path);

}  // namespace comanda::http
