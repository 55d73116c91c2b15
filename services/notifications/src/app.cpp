#include "app.hpp"

namespace comanda::notifications {

App::App(NotificationRepository& notifications, const auth::Verifier& verifier)
    : list_{notifications, verifier} {}

std::vector<http::Route> App::Routes() const { return {{"GET", "/notifications", list_}}; }

}  // namespace comanda::notifications
