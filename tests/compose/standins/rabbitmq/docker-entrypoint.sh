#!/usr/bin/env bash
# The official rabbitmq image's defaults: the default user from RABBITMQ_DEFAULT_USER/PASS (guest/guest),
# allowed to connect from other containers (not only loopback), logs on stdout, no extra plugins.
set -euo pipefail
{
  echo "loopback_users = none"
  echo "listeners.tcp.default = 5672"
  echo "default_user = ${RABBITMQ_DEFAULT_USER:-guest}"
  echo "default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}"
  echo "log.console = true"
  echo "log.file = false"
} >/etc/rabbitmq/rabbitmq.conf
echo '[].' >/etc/rabbitmq/enabled_plugins
unset RABBITMQ_DEFAULT_USER RABBITMQ_DEFAULT_PASS
exec "$@"
