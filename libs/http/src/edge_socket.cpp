#include "edge_socket.hpp"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <mutex>

#include "comanda/core/ids.hpp"

namespace comanda::http {
namespace {

struct Settings {
  core::HttpLimits limits;
  ParseErrorObserver observer;
};

Settings& TheSettings() {
  static Settings settings;
  return settings;
}

thread_local std::optional<ParseErrorAnswer> pending;

// Best effort, never blocking an I/O thread: the answer is a few hundred bytes into an empty
// send buffer. Then what the client already sent is read away (bounded), so that closing a socket
// with unread data does not reset the connection before the client reads the answer.
void WriteAndDrain(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const auto n =
        ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::array<char, 16 * 1024> sink{};
  for (int i = 0; i < 64; ++i) {  // at most 1 MiB
    if (::recv(fd, sink.data(), sink.size(), MSG_DONTWAIT) <= 0) break;
  }
}

}  // namespace

void ConfigureParseErrorAnswers(const core::HttpLimits& limits, ParseErrorObserver observer) {
  TheSettings() = Settings{limits, std::move(observer)};
}

void NoteRestinioError(const std::string& message) {
  pending = AnswerForParserError(message, TheSettings().limits);
}

void AnsweringSocket::shutdown(shutdown_type what, boost::system::error_code& ec) {
  if (pending && is_open()) {
    const auto answer = std::move(*pending);
    pending.reset();
    const auto request_id = core::RequestIdOrNew("");
    WriteAndDrain(native_handle(), RawProblemResponse(answer, request_id));
    if (TheSettings().observer) TheSettings().observer(answer, request_id);
  }
  pending.reset();
  boost::asio::ip::tcp::socket::shutdown(what, ec);
}

}  // namespace comanda::http
