#!/usr/bin/env bash
# Installs, from Debian 12's archive only, every package the build, the local run and the tests need.
# Idempotent: installs only what is missing, so a second run takes about a second.
# Used by the native build, CI and the Dockerfiles (with --runtime or --build for the image stages).
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  librestinio-dev libasio-dev libboost-dev libfmt-dev libhttp-parser-dev
  libcurl4-openssl-dev libpqxx-dev libpq-dev libhiredis-dev librabbitmq-dev libssl-dev
  libsodium-dev libjwt-dev nlohmann-json3-dev libspdlog-dev libgtest-dev libgmock-dev
  libpwquality-dev cracklib-runtime libunistring-dev
)
runtime_pkgs=(
  libfmt9 libhttp-parser2.9 libcurl4 libpqxx-6.4 libpq5 libhiredis0.14 librabbitmq4
  libssl3 libsodium23 libjwt0 libspdlog1.10 ca-certificates curl
  libpwquality1 cracklib-runtime libunistring2
)
# The gateway image (deploy/docker/gateway.Dockerfile): nginx, envsubst for its template, curl for the health check.
gateway_pkgs=(nginx gettext-base curl ca-certificates)
infra_pkgs=(postgresql redis-server rabbitmq-server nginx gettext-base)   # gettext-base: envsubst (scripts/gateway.sh)
# The browser tests (scripts/browser-test.sh): headless chromium, and fonts so that pages and screenshots have real
# glyphs (colour emoji for the menu's pictures, a sans-serif with Arial's metrics).
browser_pkgs=(chromium fonts-noto-color-emoji fonts-liberation2)
# The fuzz targets (scripts/fuzz.sh): clang-14 with libFuzzer and its sanitizer runtimes.
fuzz_pkgs=(clang-14 libfuzzer-14-dev libclang-rt-14-dev)
# Operations (scripts/prometheus.sh, promtool/amtool checks, the alert test, the Locust scenario in bench/).
# docker-compose (no engine): `docker-compose config` checks the Compose file in the first minute of the tests.
ops_pkgs=(prometheus prometheus-alertmanager python3-locust docker-compose)
# Cluster mode (scripts/cluster.sh, the cluster fault test): Patroni with etcd (v2 API client), openssl for the
# shared JWT key, on top of the infrastructure above.
cluster_pkgs=(patroni etcd-server etcd-client python3-etcd openssl util-linux)
test_pkgs=(python3 python3-pytest python3-requests python3-pika python3-jwt python3-cryptography python3-psycopg2
  curl wrk procps iproute2 clang-format)

mode=${1:-all}
case "$mode" in
  --build)   wanted=("${build_pkgs[@]}") ;;
  --runtime) wanted=("${runtime_pkgs[@]}") ;;
  --gateway) wanted=("${gateway_pkgs[@]}") ;;
  --browser) wanted=("${browser_pkgs[@]}") ;;
  --fuzz)    wanted=("${fuzz_pkgs[@]}") ;;
  --ops)     wanted=("${ops_pkgs[@]}") ;;
  --cluster) wanted=("${infra_pkgs[@]}" "${cluster_pkgs[@]}") ;;
  all|--all) wanted=("${build_pkgs[@]}" "${infra_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: $0 [--all|--build|--runtime|--gateway|--browser|--fuzz|--ops|--cluster]" >&2; exit 2 ;;
esac

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#wanted[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Services must not be started by the package scripts: the project runs its own instances.
if [ ! -e /usr/sbin/policy-rc.d ] && [ "$(id -u)" -eq 0 ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
