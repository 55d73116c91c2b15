#pragma once

#include <cstddef>
#include <string>

namespace comanda::http {

/// An open response whose body is written piece by piece (chunked transfer encoding), such as a
/// Server-Sent Events stream. Usable from any thread: a Write only queues the bytes, the I/O
/// threads send them. Dropping the last reference closes it.
class Stream {
 public:
  virtual ~Stream() = default;
  /// Queues `chunk`; false (and nothing queued) once the stream is closed: by Close(), by the
  /// peer (a write failed), or because more than kMaxPendingBytes wait for a slow reader.
  virtual bool Write(std::string chunk) = 0;
  /// Ends the response (the final empty chunk); later writes return false.
  virtual void Close() = 0;
  virtual bool open() const = 0;

  /// A reader this far behind is dropped rather than buffered without bound.
  static constexpr std::size_t kMaxPendingBytes = 256 * 1024;
};

}  // namespace comanda::http
