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

step() { printf '\n==> [%d s] %s\n' "$SECONDS" "$*"; }   # seconds since the start: where CI's time goes

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

# Two CPU-bound jobs run in the background at nice 19, so they use only what the tests leave idle (the functional
# and end-to-end tests mostly wait on I/O): the compose test's images (about 10 min of compiling on 2 cores; the
# compose test at the end finds them in Docker's layer cache) and, once the build is done, clang-tidy (about 7 min
# of CPU). Both are awaited before the compose test; on an early exit they are stopped, and so is the dockerd.
background=()   # process group leaders
run_in_background() {   # NAME COMMAND...: log in .state/NAME.log
  local name=$1; shift
  mkdir -p .state
  # setsid: its own process group, to stop it whole; a new session is also a new scheduler autogroup, where
  # nice alone would not count against the tests' session: the autogroup gets nice 19 too.
  setsid nice -n 19 bash -c 'echo 19 >/proc/self/autogroup 2>/dev/null || true; exec "$@"' "$name" "$@" \
    >".state/$name.log" 2>&1 &
  background+=("$!")
  step "$name: started in the background at nice 19 (log: .state/$name.log)"
}
await_background() {   # PID NAME: prints the job's log; exit 1 when it failed
  local rc=0
  wait "$1" || rc=$?
  local pid rest=()
  for pid in "${background[@]}"; do [[ $pid == "$1" ]] || rest+=("$pid"); done
  background=("${rest[@]}")
  cat ".state/$2.log"
  ((rc == 0)) || { echo "$2 failed (exit $rc)"; exit 1; }
}
stop_background() {
  local pid
  for pid in "${background[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  bash scripts/compose-test.sh --down >/dev/null 2>&1 || true
  # The suites share one test stack and leave it up for the next (a developer's rerun starts in seconds);
  # the whole run stops it, so that CI leaves nothing listening.
  (cd tests/functional && /usr/bin/python3 -c 'import harness; harness.Stack().run("down")') >/dev/null 2>&1 || true
}
compose_prepare="" tidy=""
if (($# == 0)); then
  trap stop_background EXIT
  run_in_background compose-prepare bash scripts/compose-test.sh --prepare
  compose_prepare=$!
fi

step "build (asan preset: ASan + UBSan, warnings as errors)"
cmake --preset asan > /dev/null
cmake --build --preset asan

if (($# == 0)); then   # .clang-tidy's checks, every finding an error; awaited before the compose test
  run_in_background clang-tidy bash scripts/tidy.sh
  tidy=$!
fi

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

step "clang-tidy (scripts/tidy.sh, started after the build: .clang-tidy's checks, every finding an error)"
if (($# == 0)); then
  await_background "$tidy" clang-tidy
else
  echo "skipped: extra arguments select pytest tests (run scripts/tidy.sh for this one)"
fi

step "compose end-to-end test (scripts/compose-test.sh: images built from scratch, the Postman collection, last)"
if (($# == 0)); then
  await_background "$compose_prepare" compose-prepare
  bash scripts/compose-test.sh   # its own dockerd, state under .state/docker, gateway on 127.0.0.1:18080
else
  echo "skipped: extra arguments select pytest tests (run scripts/compose-test.sh for this one)"
fi
step "all tests passed"
