#pragma once

#include <optional>
#include <string>
#include <string_view>

/// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` a request or an
/// event carries, `00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>`. Every log line
/// written while a context is current carries its trace id (`traceId`); outgoing HTTP calls and
/// published events carry it on, as a new span of the same trace.
namespace comanda::core::trace {

struct Context {
  std::string trace_id;  // 32 lower-case hex digits, not all zero
  std::string span_id;   // 16 lower-case hex digits, not all zero: this unit of work
  std::string flags = "01";
};

/// A valid version-00 traceparent (lower-case hex, non-zero ids); nullopt for anything else.
std::optional<Context> Parse(std::string_view traceparent);

/// `00-<trace id>-<span id>-<flags>`.
std::string Format(const Context& context);

/// The context of work caused by `incoming`: the same trace with a new span id, or a new trace
/// when `incoming` is empty or invalid.
Context ContinueOrStart(std::string_view incoming);

/// Makes `context` the current thread's while it lives (restores the previous one after).
class Scope {
 public:
  explicit Scope(Context context);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Context previous_;
};

/// The current thread's trace id, empty outside a traced request or event.
const std::string& CurrentTraceId();

/// The traceparent to send with a call or an event made now (this span as the parent); empty
/// outside a traced request or event.
std::string CurrentTraceparent();

}  // namespace comanda::core::trace
