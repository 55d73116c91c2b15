// The OrderCreated event as the consumer reads it: only PoisonMessage (dead-lettered) may come out.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "comanda/core/time.hpp"
#include "events.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  (void)comanda::core::ParseRfc3339(text);
  try {
    comanda::notifications::ParseOrderCreated(text);
  } catch (const comanda::notifications::PoisonMessage&) {
  }
  return 0;
}
