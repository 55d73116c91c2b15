#!/usr/bin/env bash
# Runs every test: installs what is missing, builds with ASan + UBSan, checks formatting, runs the
# unit tests (GoogleTest via ctest) and the functional tests (pytest against the real binaries and a
# real PostgreSQL, Redis and RabbitMQ started by scripts/stack.sh under .state/test).
# Before the build: the Kubernetes manifests (scripts/k8s-check.sh) and the Prometheus rules (promtool).
# Then the end-to-end tests (tests/e2e: the whole system behind the nginx gateway, and a chaos test) and the cluster
# fault test (tests/cluster: scripts/cluster.sh, ports 20000-20999, state under .state/cluster-test), the browser
# tests and, last, the compose test, whose images are built in the background at nice 19 from before the build on.
#   scripts/test.sh            everything
#   scripts/test.sh -k login   extra arguments go to pytest
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "dependencies"
bash scripts/install-deps.sh
bash scripts/install-deps.sh --ops
bash scripts/install-deps.sh --cluster   # Patroni and etcd for the cluster fault test
if (($# == 0)); then   # all installs first: the compose images are built in the background later, beside apt
  bash scripts/install-deps.sh --fuzz
  bash scripts/install-deps.sh --browser
  bash scripts/compose-test.sh --install
fi

step "format check"
mapfile -t sources < <(git ls-files 'libs/*.cpp' 'libs/*.hpp' 'services/*.cpp' 'services/*.hpp' 'fuzz/*.cpp')
clang-format --dry-run --Werror "${sources[@]}"

step "Kubernetes manifests (scripts/k8s-check.sh: render, schemas, policies, the broken examples fail)"
if (($# == 0)); then
  bash scripts/k8s-check.sh
else
  echo "skipped: extra arguments select pytest tests (run scripts/k8s-check.sh for this one)"
fi

step "Compose file, Prometheus and Alertmanager configuration (docker-compose config, promtool, amtool)"
docker-compose --profile monitoring config -q   # the compose test runs last; a broken file fails here instead
promtool check config --syntax-only deploy/prometheus/compose.yml
promtool check config ./deploy/prometheus/prometheus.yml
promtool test rules deploy/prometheus/tests/*.yml
amtool check-config deploy/alertmanager/alertmanager.yml

# The compose test's images take about 10 min of compiling on 2 cores. They are built in the background at nice 19,
# so they use only what the tests leave idle (the functional and end-to-end tests mostly wait on I/O), and the
# compose test at the end finds them in Docker's layer cache. On an early exit the background build and its
# dockerd are stopped.
compose_prepare=""
stop_compose_prepare() {
  [[ -n $compose_prepare ]] || return 0
  kill -TERM -- "-$compose_prepare" 2>/dev/null || true
  wait "$compose_prepare" 2>/dev/null || true
  bash scripts/compose-test.sh --down >/dev/null 2>&1 || true
}
if (($# == 0)); then
  step "compose images: built in the background at nice 19 (log: .state/compose-prepare.log)"
  mkdir -p .state
  setsid nice -n 19 bash scripts/compose-test.sh --prepare >.state/compose-prepare.log 2>&1 &
  compose_prepare=$!
  trap stop_compose_prepare EXIT
fi

step "build (asan preset: ASan + UBSan, warnings as errors)"
cmake --preset asan > /dev/null
cmake --build --preset asan

step "clang-tidy (scripts/tidy.sh: .clang-tidy's checks, every finding an error; about 4 min on 2 cores)"
bash scripts/tidy.sh

step "unit tests"
ctest --preset asan -L unit --output-on-failure -j2

step "fuzz targets (scripts/fuzz.sh: clang-14 libFuzzer, ASan + UBSan, 10 s per target on fuzz/corpus)"
if (($# == 0)); then
  bash scripts/fuzz.sh 10
else
  echo "skipped: extra arguments select pytest tests (run scripts/fuzz.sh for these)"
fi

step "functional tests"
export COMANDA_BIN_DIR=$PWD/build/asan/bin
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
/usr/bin/python3 -m pytest tests/functional -q -p no:cacheprovider "$@"

step "end-to-end tests through the gateway (tests/e2e; the chaos test: -m chaos)"
rc=0
/usr/bin/python3 -m pytest tests/e2e -q -p no:cacheprovider -rP "$@" || rc=$?
((rc == 0 || rc == 5)) || exit "$rc"   # 5: the extra arguments selected no test here

step "cluster fault test (tests/cluster: scripts/cluster.sh with the ASan binaries; Patroni, 3 RabbitMQ nodes, 2 replicas each)"
rc=0
/usr/bin/python3 -m pytest tests/cluster -q -p no:cacheprovider -rP "$@" || rc=$?
((rc == 0 || rc == 5)) || exit "$rc"   # 5: the extra arguments selected no test here

step "browser tests of the web storefront (tests/browser: playwright-core + Debian's chromium, ASan binaries)"
if (($# == 0)); then
  bash scripts/browser-test.sh   # COMANDA_BIN_DIR from above; its own state folder and ports
else
  echo "skipped: extra arguments select pytest tests (run scripts/browser-test.sh for these)"
fi

step "compose end-to-end test (scripts/compose-test.sh: images built from scratch, the Postman collection, last)"
if (($# == 0)); then
  rc=0; wait "$compose_prepare" || rc=$?
  compose_prepare=""; trap - EXIT
  cat .state/compose-prepare.log
  ((rc == 0)) || { echo "compose-test --prepare failed (exit $rc)"; bash scripts/compose-test.sh --down || true; exit 1; }
  bash scripts/compose-test.sh   # its own dockerd, state under .state/docker, gateway on 127.0.0.1:18080
else
  echo "skipped: extra arguments select pytest tests (run scripts/compose-test.sh for this one)"
fi
