#pragma once

#include "comanda/auth/token.hpp"
#include "comanda/http/request.hpp"
#include "comanda/http/response.hpp"
#include "stream_hub.hpp"

namespace comanda::notifications {

/// GET /notifications/stream (Bearer): Server-Sent Events. The token and Last-Event-ID are
/// checked before the stream starts (401 / 400 problem+json); then the hub writes it until the
/// token expires, the client leaves or the service stops.
class OpenStream final {
 public:
  OpenStream(StreamHub& hub, const auth::Verifier& verifier) : hub_{hub}, verifier_{verifier} {}
  http::Response operator()(const http::Request& request) const;

 private:
  StreamHub& hub_;
  const auth::Verifier& verifier_;
};

}  // namespace comanda::notifications
