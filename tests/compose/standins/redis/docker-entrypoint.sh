#!/bin/sh
# As the official redis image does: `redis-server` without a config file runs with protected mode off
# (other containers are its clients; nothing is published), whatever other options the command adds.
set -e
if [ "${1:-}" = redis-server ] && [ "${2:-}" = "${2#/}" ]; then
  case " $* " in *" --protected-mode "*) ;; *) set -- "$@" --protected-mode no ;; esac
fi
exec "$@"
