#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, the `fuzz` preset: clang-14, ASan + UBSan) and runs each for a bounded
# time on a copy of its corpus in fuzz/corpus/ (the repository's corpus is not changed by a run).
#   scripts/fuzz.sh [seconds per target, default 15] [target ...]
# A crash leaves its input under build/fuzz/crashes/<target>/ and fails the script: turn it into a unit test
# beside the parser, fix the parser, and add the input to fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-15}
shift || true
[[ $seconds =~ ^[0-9]+$ ]] && ((seconds > 0 && seconds <= 3600)) || { echo "fuzz: bad seconds: $seconds" >&2; exit 2; }

cmake --preset fuzz > /dev/null
cmake --build --preset fuzz

targets=("$@")
((${#targets[@]})) || mapfile -t targets < <(ls fuzz/corpus)
status=0
for target in "${targets[@]}"; do
  work=build/fuzz/work/$target crashes=build/fuzz/crashes/$target
  rm -rf "$work"; mkdir -p "$work" "$crashes"
  cp fuzz/corpus/"$target"/* "$work"/
  echo "==> $target: ${seconds} s"
  if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      build/fuzz/fuzz/"$target" "$work" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
      -max_len=16384 -artifact_prefix="$crashes/" -print_final_stats=1 2> "build/fuzz/$target.log"; then
    tail -n 40 "build/fuzz/$target.log" >&2
    echo "fuzz: $target FAILED; inputs in $crashes/" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" "build/fuzz/$target.log" | tr '\n' ' '; echo
  fi
done
exit "$status"
