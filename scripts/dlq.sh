#!/usr/bin/env bash
# Dead letters of notifications-service (the queue notifications.order-created.dlq), through RabbitMQ's management
# HTTP API (rabbitmq_management, enabled by scripts/stack.sh). Each dead letter shows the reason headers the
# consumer wrote (x-error-code, x-error-reason, x-attempt); a replay sends it to the work queue, where the
# consumer's idempotency (one notification per event id) makes replaying a message twice harmless.
#
#   scripts/dlq.sh list                     one line per dead letter: message id, error code, attempt, age, reason
#   scripts/dlq.sh show ID...               properties, every header and the body
#   scripts/dlq.sh replay ID...|--all       to the work queue, without the dead-letter headers (a fresh retry
#                                           budget); the other dead letters stay (at the end of the queue)
#   scripts/dlq.sh purge ID...|--all        delete them
#
# Environment [defaults]:
#   RABBITMQ_API_URL [http://guest:guest@127.0.0.1:<COMANDA_AMQP_HTTP_PORT>/api]: the management API; the port is
#     derived from COMANDA_AMQP_PORT as scripts/stack.sh does (5672 -> 15672)
#   RABBITMQ_VHOST [/]  COMANDA_DLQ [notifications.order-created.dlq]  COMANDA_DLQ_TARGET [notifications.order-created]
#   COMANDA_STATE_DIR [<repo>/.state/local]: a replay or purge first writes what it takes to <state>/dlq/taken-*.json
#     and deletes the file once every message is where it belongs (kept, with its path printed, if anything failed)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AMQP_PORT=${COMANDA_AMQP_PORT:-5672}
wrap() { echo $((1024 + ($1 - 1024) % 64512)); }
HTTP_PORT=${COMANDA_AMQP_HTTP_PORT:-$(wrap $((AMQP_PORT + 10000)))}
export RABBITMQ_API_URL=${RABBITMQ_API_URL:-http://guest:guest@127.0.0.1:$HTTP_PORT/api}
export COMANDA_DLQ_JOURNAL=${COMANDA_DLQ_JOURNAL:-$(realpath -m "${COMANDA_STATE_DIR:-$REPO/.state/local}")/dlq}
exec /usr/bin/python3 "$REPO/scripts/dlq.py" "$@"
