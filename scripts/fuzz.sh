#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*_fuzz.cc) with clang, AddressSanitizer and UBSan, the yibao
# libraries instrumented too, and runs each target for SECONDS (default 60) on a copy of its seed
# corpus fuzz/corpus/<target>/ (and fuzz/<target>.dict when there is one). Prints the executions
# and the result of each; exits non-zero if any target crashes, leaks, times out or fails to build.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Environment: CC / CXX (default clang-14 / clang++-14), YIBAO_FUZZ_BUILD (default build-fuzz),
# YIBAO_FUZZ_JOBS (parallel fuzzing jobs per target, default 1). Crashing inputs are kept in
# $YIBAO_FUZZ_BUILD/artifacts/; reproduce one with `$YIBAO_FUZZ_BUILD/fuzz/<target> <file>`.
set -euo pipefail

seconds=${1:-60}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${YIBAO_FUZZ_BUILD:-$root/build-fuzz}")
jobs=${YIBAO_FUZZ_JOBS:-1}
export CC=${CC:-clang-14} CXX=${CXX:-clang++-14}

if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  targets=()
  for f in "$root"/fuzz/*_fuzz.cc; do targets+=("$(basename "$f" .cc)"); done
fi

echo "== configuring $build ($CXX)"
cmake -S "$root" -B "$build" -G Ninja -DYIBAO_FUZZ=ON -DBUILD_TESTING=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" >/dev/null
echo "== building ${targets[*]}"
ninja -C "$build" "${targets[@]}" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/yibao-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts="$build/artifacts"
mkdir -p "$artifacts"
# UBSan findings abort (otherwise they are only printed and the run continues).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}

# The sum of libFuzzer's final statistic $1 over the logs that follow.
fuzz_stat() {
  local name=$1
  shift
  { grep -ho "stat::$name: *[0-9]*" "$@" || true; } | awk '{s += $2} END {print s + 0}'
}

failed=0
printf '%-20s %12s %10s %8s  %s\n' target executions exec/s corpus result
for t in "${targets[@]}"; do
  corpus="$work/$t"
  mkdir -p "$corpus"
  if [[ -d "$root/fuzz/corpus/$t" ]]; then cp -r "$root/fuzz/corpus/$t/." "$corpus/"; fi
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/$t-")
  [[ -f "$root/fuzz/$t.dict" ]] && args+=(-dict="$root/fuzz/$t.dict")
  [[ $jobs -gt 1 ]] && args+=(-jobs="$jobs" -workers="$jobs")
  log="$work/$t.log"
  set +e
  # From inside $work, so that the per-job logs of -jobs (fuzz-N.log) land there too.
  (cd "$work" && rm -f fuzz-*.log && "$build/fuzz/$t" "${args[@]}" "$corpus") >"$log" 2>&1
  rc=$?
  set -e
  logs=("$log")
  for f in "$work"/fuzz-*.log; do [[ -f $f ]] && logs+=("$f"); done
  execs=$(fuzz_stat number_of_executed_units "${logs[@]}")
  speed=$(fuzz_stat average_exec_per_sec "${logs[@]}")
  size=$(find "$corpus" -type f | wc -l)
  if [[ $rc -eq 0 ]]; then
    result=ok
  else
    result="FAILED (exit $rc)"
    failed=1
  fi
  printf '%-20s %12s %10s %8s  %s\n' "$t" "$execs" "$speed" "$size" "$result"
  if [[ $rc -ne 0 ]]; then
    cat "${logs[@]}" >"$artifacts/$t.log"
    { grep -hE 'ERROR|SUMMARY|runtime error|Test unit written|_fuzz: ' "${logs[@]}" || true; } |
      head -20 | sed 's/^/    /'
    echo "    full log: $artifacts/$t.log"
  fi
done
exit $failed
