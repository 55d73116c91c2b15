#!/usr/bin/env bash
# clang-tidy (Debian's, checks in .clang-tidy, every finding an error) over the sources of libs/ and services/,
# using build/asan/compile_commands.json (configure the asan preset first).
#   scripts/tidy.sh            every translation unit of libs/ and services/ but the unit tests (GoogleTest's
#                              macros cost the most time and trip bugprone checks on purpose)
#   scripts/tidy.sh FILE...    only these
# Measured on the 2-core CI machine: see docs/decisions.md (issue 18).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
db=build/asan/compile_commands.json
[[ -f $db ]] || { echo "tidy: $db missing: run cmake --preset asan first" >&2; exit 2; }
if (($# > 0)); then
  files=("$@")
else
  mapfile -t files < <(git ls-files 'libs/*.cpp' 'services/*.cpp' | grep -v '_test\.cpp$')
fi
# GCC-only warning flags in the database are not clang-tidy's business.
printf '%s\n' "${files[@]}" |
  xargs -P "${TIDY_JOBS:-2}" -n 4 clang-tidy -p build/asan --quiet \
    --extra-arg=-Wno-unknown-warning-option --extra-arg=-Wno-unused-command-line-argument
