// The answer to a parser error RESTinio reports: any message gives nullopt or a 4xx/501/505 answer
// whose raw response is well formed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "parse_errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text{reinterpret_cast<const char*>(data), size};
  const auto answer = comanda::http::AnswerForParserError(text, {});
  if (!answer) return 0;
  if (answer->status < 400 || answer->status > 505) std::abort();
  const auto raw = comanda::http::RawProblemResponse(*answer, "fuzz");
  if (raw.find("\r\n\r\n") == std::string::npos) std::abort();
  return 0;
}
