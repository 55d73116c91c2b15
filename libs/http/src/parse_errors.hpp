#pragma once
// Requests RESTinio 0.6 cannot hand to us: it closes the connection on any http_parser error
// (restinio/impl/connection.hpp, connection_t::consume_data: "TODO: handle case when there are some
// request in process" -> trigger_error_and_close), limits included (impl/parser_callbacks.ipp
// returns -1). Its logger is the one place that learns why; these functions turn that reason into
// the answer we write before the socket closes (edge_socket.hpp).

#include <optional>
#include <string>
#include <string_view>

#include "comanda/core/config.hpp"
#include "comanda/http/response.hpp"

namespace comanda::http {

/// The problem answer to a request the HTTP parser refused.
struct ParseErrorAnswer {
  int status = 400;
  std::string code;
  std::string title;
  std::string detail;
};

/// The answer for one RESTinio error log line ("[connection:7] parser error HPE_CB_url: ..."), or
/// nullopt when the line is about something else (a timeout, an accept error).
std::optional<ParseErrorAnswer> AnswerForParserError(std::string_view restinio_message,
                                                     const core::HttpLimits& limits);

/// The same answer for the server's ordinary write path (a request that parsed but is refused).
Response ToResponse(const ParseErrorAnswer& answer, const std::string& request_id);

/// The answer to a request line whose HTTP version is not 1.x (http_parser accepts 2.0).
ParseErrorAnswer VersionNotSupported();

/// The whole HTTP/1.1 response (status line, headers, problem+json body) with Connection: close.
std::string RawProblemResponse(const ParseErrorAnswer& answer, const std::string& request_id);

}  // namespace comanda::http
