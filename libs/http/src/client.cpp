#include "comanda/http/client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>

#include "comanda/core/error.hpp"
#include "comanda/core/log.hpp"

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

ClientResponse Client::Post(std::string_view path, std::string body, const Headers& headers) const {
  return Perform("POST", path, &body, headers);
}

ClientResponse Client::Perform(const char* method, std::string_view path, const std::string* body,
                               const Headers& headers) const {
  auto* curl = static_cast<CURL*>(Borrow());
  curl_easy_reset(curl);  // keeps the connection cache, clears the previous call's options
  const std::string url = options_.base_url + std::string{path};
  CallState state;
  state.limit = options_.max_response_bytes;

  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : headers) {
    header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
  }
  if (const auto& request_id = log::CurrentRequestId(); !request_id.empty()) {
    header_list = curl_slist_append(header_list, ("X-Request-Id: " + request_id).c_str());
  }
  header_list = curl_slist_append(header_list, "Expect:");  // no 100-continue round trip

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(options_.connect_timeout, options_.timeout).count()));
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

  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(header_list);

  if (code != CURLE_OK) {
    curl_easy_cleanup(curl);  // a failed handle may hold a broken connection: drop it
    const std::string reason = state.too_large ? "answer too large" : curl_easy_strerror(code);
    log::Warn("dependency call failed", {{"dependency", options_.name},
                                         {"method", method},
                                         {"path", std::string{path}},
                                         {"error", reason}});
    throw core::Error{core::Errc::kUnavailable, options_.name + " is unavailable."};
  }
  Return(curl);
  state.response.status = static_cast<int>(status);
  return std::move(state.response);
}

std::function<std::string()> DocumentFetcher(const Client& client, std::string path) {
  return [&client, path = std::move(path)] {
    auto response = client.Get(path);
    if (response.status != 200) {
      log::Warn(
          "document fetch failed",
          {{"dependency", client.options().name}, {"path", path}, {"status", response.status}});
      throw core::Error{core::Errc::kUnavailable, client.options().name + " is unavailable."};
    }
    return std::move(response.body);
  };
}

}  // namespace comanda::http
