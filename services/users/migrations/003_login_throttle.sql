-- Per-account login throttling (issue 17), shared by every users-service replica: one row per email that
-- had a login attempt in the last window. An attempt is counted before the password is checked (so that
-- parallel guesses cannot slip past the count); a successful login deletes the row.
CREATE TABLE login_throttle (
  email         text PRIMARY KEY,
  attempts      integer NOT NULL,
  last_attempt  timestamptz NOT NULL,
  blocked_until timestamptz NOT NULL
);
CREATE INDEX login_throttle_last_attempt ON login_throttle (last_attempt);
