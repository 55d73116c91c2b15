#include "handlers.hpp"

#include "comanda/core/error.hpp"
#include "comanda/core/log.hpp"

namespace comanda::users {

using core::Errc;
using core::Error;

http::Response Register::operator()(const http::Request& request) const {
  const auto registration = ParseRegistration(request.Json());
  if (const auto weak = quality_.Problem(registration.password, registration.email)) {
    throw Error{Errc::kValidation,
                "The request body has invalid fields.",
                {{"password", "is too weak: " + *weak}}};
  }
  const auto user = users_.Create(registration, passwords_.Hash(registration.password));
  core::log::Info("user registered", {{"userId", user.id}});
  return http::Json(201, RegisteredJson(user));
}

http::Response Login::operator()(const http::Request& request) const {
  const auto credentials = ParseCredentials(request.Json());
  if (const auto wait = throttle_.Claim(credentials.email); wait.count() > 0) {
    // Built here, not thrown: Retry-After says how long this account must still wait.
    auto response = http::Problem(
        Error{Errc::kTooManyRequests, "Too many login attempts on this account; try again in " +
                                          std::to_string(wait.count()) + " s."}
            .WithCode("LOGIN_THROTTLED"),
        request.request_id);
    for (auto& [name, value] : response.headers) {
      if (name == "Retry-After") value = std::to_string(wait.count());
    }
    return response;
  }
  const auto stored = users_.FindByEmail(credentials.email);
  // One argon2 verification on both paths: an unknown email costs what a wrong password costs.
  bool valid = false;
  if (stored) {
    valid = passwords_.Verify(stored->password_hash, credentials.password);
  } else {
    passwords_.VerifyDummy(credentials.password);
  }
  if (!valid) {
    throw Error{Errc::kUnauthorized, "The email or the password is wrong."}.WithCode(
        "INVALID_CREDENTIALS");
  }
  throttle_.Clear(credentials.email);
  const auto& user = stored->user;
  const auto token = auth::IssueToken(key_, settings_, {user.id, user.email, user.name, user.role},
                                      auth::Clock::now());
  return http::Json(200, {{"accessToken", token},
                          {"tokenType", "Bearer"},
                          {"expiresIn", settings_.ttl.count()}})
      .Header("Cache-Control", "no-store");
}

http::Response Profile::operator()(const http::Request& request) const {
  const auto claims = verifier_.VerifyBearer(request.Header("Authorization"));
  const auto user = users_.FindById(claims.sub);
  if (!user) throw Error{Errc::kUnauthorized, "The account of this token no longer exists."};
  return http::Json(200, ProfileJson(*user)).Header("Cache-Control", "no-store");
}

http::Response SetRole::operator()(const http::Request& request) const {
  const auto claims = verifier_.VerifyBearer(request.Header("Authorization"));
  if (claims.role != "admin") throw Error{Errc::kForbidden, "Only an admin may change roles."};
  const auto role = ParseRoleChange(request.Json());
  const auto user = users_.SetRole(std::string{request.Param("id")}, role);
  if (!user) throw Error{Errc::kNotFound, "No such user."};
  core::log::Info("role changed", {{"userId", user->id}, {"role", user->role}, {"by", claims.sub}});
  return http::Json(200, ProfileJson(*user)).Header("Cache-Control", "no-store");
}

http::Response Jwks::operator()(const http::Request&) const {
  return http::Json(200, document_).Header("Cache-Control", "public, max-age=300");
}

}  // namespace comanda::users
