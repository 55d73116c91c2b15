#include "comanda/core/trace.hpp"

#include <cstdint>
#include <random>
#include <utility>

namespace comanda::core::trace {
namespace {

thread_local Context current;

bool IsLowerHex(std::string_view text) {
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(std::string_view text) { return text.find_first_not_of('0') == std::string::npos; }

// `digits` random lower-case hex digits, never all zero.
std::string RandomHex(std::size_t digits) {
  thread_local std::mt19937_64 engine{[] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64{seed};
  }()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  do {
    out.clear();
    while (out.size() < digits) {
      std::uint64_t word = engine();
      for (int i = 0; i < 16 && out.size() < digits; ++i, word >>= 4)
        out.push_back(kHex[word & 15]);
    }
  } while (AllZero(out));
  return out;
}

}  // namespace

std::optional<Context> Parse(std::string_view traceparent) {
  // 00-{32}-{16}-{2}: 55 characters exactly (a future version may append fields; we speak 00).
  if (traceparent.size() != 55 || traceparent.substr(0, 3) != "00-" || traceparent[35] != '-' ||
      traceparent[52] != '-') {
    return std::nullopt;
  }
  Context context{std::string{traceparent.substr(3, 32)}, std::string{traceparent.substr(36, 16)},
                  std::string{traceparent.substr(53, 2)}};
  if (!IsLowerHex(context.trace_id) || !IsLowerHex(context.span_id) || !IsLowerHex(context.flags) ||
      AllZero(context.trace_id) || AllZero(context.span_id)) {
    return std::nullopt;
  }
  return context;
}

std::string Format(const Context& context) {
  return "00-" + context.trace_id + '-' + context.span_id + '-' + context.flags;
}

Context ContinueOrStart(std::string_view incoming) {
  if (auto parent = Parse(incoming)) {
    parent->span_id = RandomHex(16);
    return *std::move(parent);
  }
  return Context{RandomHex(32), RandomHex(16), "01"};
}

Scope::Scope(Context context) : previous_{std::exchange(current, std::move(context))} {}

Scope::~Scope() { current = std::move(previous_); }

const std::string& CurrentTraceId() { return current.trace_id; }

std::string CurrentTraceparent() {
  return current.trace_id.empty() ? std::string{} : Format(current);
}

}  // namespace comanda::core::trace
