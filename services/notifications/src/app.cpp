#include "app.hpp"

namespace comanda::notifications {

App::App(NotificationRepository& notifications, StreamHub& hub, const auth::Verifier& verifier)
    : list_{notifications, verifier}, stream_{hub, verifier} {}

std::vector<http::Route> App::Routes() const {
  return {{"GET", "/notifications", list_}, {"GET", "/notifications/stream", stream_}};
}

}  // namespace comanda::notifications
