#include "comanda/http/client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>

#include "comanda/core/error.hpp"
#include "comanda/core/log.hpp"
#include "comanda/core/trace.hpp"

namespace comanda::http {
namespace {

struct CallState {
  ClientResponse response;
  std::size_t limit = 0;
  bool too_large = false;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto& state = *static_cast<CallState*>(user);
  const auto bytes = size * count;
  if (state.response.body.size() + bytes > state.limit) {
    state.too_large = true;
    return 0;  // aborts the transfer
  }
  state.response.body.append(data, bytes);
  return bytes;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto& state = *static_cast<CallState*>(user);
  const auto bytes = size * count;
  const std::string_view line{data, bytes};
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name{line.substr(0, colon)};
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    state.response.headers.emplace_back(std::move(name), std::string{value});
  } else if (line.rfind("HTTP/", 0) == 0) {
    state.response.headers.clear();  // a new response (after a 100 Continue or a redirect)
  }
  return bytes;
}

void GlobalInitOnce() {
  static const bool initialised = [] {
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  }();
  if (!initialised) throw std::runtime_error{"curl_global_init failed"};
}

}  // namespace

Client::Client(ClientOptions options) : options_{std::move(options)} {
  GlobalInitOnce();
  while (!options_.base_url.empty() && options_.base_url.back() == '/')
    options_.base_url.pop_back();
}

Client::~Client() {
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* Client::Borrow() const {
  {
    std::lock_guard lock{mutex_};
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  CURL* handle = curl_easy_init();
  if (handle == nullptr) throw std::runtime_error{"curl_easy_init failed"};
  return handle;
}

void Client::Return(void* handle) const {
  std::lock_guard lock{mutex_};
  idle_.push_back(handle);
}

ClientResponse Client::Get(std::string_view path, const Headers& headers) const {
  return Perform("GET", path, nullptr, headers);
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): a sink; callers move their body in
ClientResponse Client::Post(std::string_view path, std::string body, const Headers& headers) const {
  return Perform("POST", path, &body, headers);
}

namespace {

// Sets a reset handle up for one call; returns the header list the caller frees after the transfer.
curl_slist* Setup(CURL* curl, const ClientOptions& options, const char* method,
                  const std::string& url, const std::string* body, const Headers& headers,
                  CallState& state) {
  state.limit = options.max_response_bytes;
  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : headers) {
    std::string line = name;
    line.append(": ").append(value);
    header_list = curl_slist_append(header_list, line.c_str());
  }
  if (const auto& request_id = core::log::CurrentRequestId(); !request_id.empty()) {
    header_list = curl_slist_append(header_list, ("X-Request-Id: " + request_id).c_str());
  }
  // W3C trace context: the calling request's trace, this service's span as the parent.
  if (const auto traceparent = core::trace::CurrentTraceparent(); !traceparent.empty()) {
    header_list = curl_slist_append(header_list, ("traceparent: " + traceparent).c_str());
  }
  header_list = curl_slist_append(header_list, "Expect:");  // no 100-continue round trip

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(options.connect_timeout, options.timeout).count()));
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &state);
  if (body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  } else if (std::string_view{method} == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  return header_list;
}

// After a transfer: the response, or (the handle then cleaned up, never reused) a logged
// core::Error{kUnavailable}.
ClientResponse Settle(const ClientOptions& options, CURL* curl, CURLcode code, CallState& state,
                      const char* method, std::string_view path) {
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (code != CURLE_OK) {
    curl_easy_cleanup(curl);  // a failed handle may hold a broken connection: drop it
    const std::string reason = state.too_large ? "answer too large" : curl_easy_strerror(code);
    core::log::Warn("dependency call failed", {{"dependency", options.name},
                                               {"method", method},
                                               {"path", std::string{path}},
                                               {"error", reason}});
    throw core::Error{core::Errc::kUnavailable, options.name + " is unavailable."};
  }
  state.response.status = static_cast<int>(status);
  return std::move(state.response);
}

// One multi handle per thread: its connection cache keeps the connections of GetAll alive.
CURLM* ThreadMulti() {
  struct Multi {
    CURLM* handle = curl_multi_init();
    Multi() {
      if (handle != nullptr) curl_multi_setopt(handle, CURLMOPT_MAXCONNECTS, 16L);
    }
    ~Multi() {
      if (handle != nullptr) curl_multi_cleanup(handle);
    }
  };
  thread_local Multi multi;
  if (multi.handle == nullptr) throw std::runtime_error{"curl_multi_init failed"};
  return multi.handle;
}

}  // namespace

ClientResponse Client::Perform(const char* method, std::string_view path, const std::string* body,
                               const Headers& headers) const {
  auto* curl = static_cast<CURL*>(Borrow());
  curl_easy_reset(curl);  // keeps the connection cache, clears the previous call's options
  const std::string url = options_.base_url + std::string{path};
  CallState state;
  curl_slist* header_list = Setup(curl, options_, method, url, body, headers, state);
  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(header_list);
  auto response = Settle(options_, curl, code, state, method, path);
  Return(curl);
  return response;
}

std::vector<CallResult> GetAll(const std::vector<Call>& calls) {
  struct Transfer {
    CURL* curl = nullptr;
    std::string url;
    CallState state;
    curl_slist* headers = nullptr;
    CURLcode code = CURLE_FAILED_INIT;
    bool added = false;
    ~Transfer() { curl_slist_free_all(headers); }
  };
  std::vector<CallResult> results(calls.size());
  if (calls.empty()) return results;
  CURLM* multi = ThreadMulti();
  std::vector<std::unique_ptr<Transfer>> transfers;
  transfers.reserve(calls.size());
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const auto& call = calls[i];
    auto transfer = std::make_unique<Transfer>();
    transfer->curl = static_cast<CURL*>(call.client->Borrow());
    curl_easy_reset(transfer->curl);
    transfer->url = call.client->options_.base_url + call.path;
    transfer->headers = Setup(transfer->curl, call.client->options_, "GET", transfer->url, nullptr,
                              call.headers, transfer->state);
    curl_easy_setopt(transfer->curl, CURLOPT_PRIVATE, reinterpret_cast<char*>(i));
    transfer->added = curl_multi_add_handle(multi, transfer->curl) == CURLM_OK;
    transfers.push_back(std::move(transfer));
  }
  // Every transfer has a whole-call deadline, so this loop ends.
  int running = 0;
  for (;;) {
    if (curl_multi_perform(multi, &running) != CURLM_OK) break;
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      char* index = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &index);
      transfers.at(reinterpret_cast<std::size_t>(index))->code = message->data.result;
    }
    if (running == 0) break;
    if (curl_multi_poll(multi, nullptr, 0, 100, nullptr) != CURLM_OK) break;
  }
  for (std::size_t i = 0; i < calls.size(); ++i) {
    auto& transfer = *transfers[i];
    if (transfer.added) curl_multi_remove_handle(multi, transfer.curl);
    curl_off_t micros = 0;
    curl_easy_getinfo(transfer.curl, CURLINFO_TOTAL_TIME_T, &micros);
    results[i].elapsed = std::chrono::microseconds{micros};
    try {
      results[i].response = Settle(calls[i].client->options_, transfer.curl, transfer.code,
                                   transfer.state, "GET", calls[i].path);
      calls[i].client->Return(transfer.curl);
    } catch (...) {
      results[i].error = std::current_exception();
    }
  }
  return results;
}

std::function<std::string()> DocumentFetcher(const Client& client, std::string path) {
  return [&client, path = std::move(path)] {
    auto response = client.Get(path);
    if (response.status != 200) {
      core::log::Warn(
          "document fetch failed",
          {{"dependency", client.options().name}, {"path", path}, {"status", response.status}});
      throw core::Error{core::Errc::kUnavailable, client.options().name + " is unavailable."};
    }
    return std::move(response.body);
  };
}

}  // namespace comanda::http
