#pragma once
// The server's socket and logger types for RESTinio: together they answer, in words, the requests
// RESTinio closes the connection on (see parse_errors.hpp for the evidence).
//
// On a parser error RESTinio calls, on one thread and in this order: the logger's error() with the
// reason, then connection_t::close(), whose first socket call is shutdown(). The logger keeps the
// answer for that reason in a thread-local slot; the socket's shutdown() writes it first.

#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <optional>
#include <string>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp needs std::exchange under C++20

#include "comanda/core/config.hpp"
#include "parse_errors.hpp"

namespace comanda::http {

/// Called once per answered parse error (metrics, the request log line).
using ParseErrorObserver = std::function<void(const ParseErrorAnswer&, const std::string& id)>;

/// The limits the answers quote and who is told about them; set once before the server opens.
void ConfigureParseErrorAnswers(const core::HttpLimits& limits, ParseErrorObserver observer);

/// Records the answer for a RESTinio error message on this thread (or clears it).
void NoteRestinioError(const std::string& message);

/// A TCP socket whose shutdown() first writes the answer noted on this thread, if any.
class AnsweringSocket : public boost::asio::ip::tcp::socket {
 public:
  using boost::asio::ip::tcp::socket::basic_stream_socket;

  void shutdown(shutdown_type what, boost::system::error_code& ec);
};

/// RESTinio's logger: errors feed NoteRestinioError; nothing else is logged.
class EdgeLogger {
 public:
  template <class Builder>
  void trace(Builder&&) const noexcept {}
  template <class Builder>
  void info(Builder&&) const noexcept {}
  template <class Builder>
  void warn(Builder&&) const noexcept {}
  template <class Builder>
  void error(Builder&& builder) const noexcept {
    try {
      NoteRestinioError(std::string{builder()});
    } catch (...) {  // a message we cannot build is one we do not answer
    }
  }
};

}  // namespace comanda::http
