#!/usr/bin/env bash
# run.sh — runs the libFuzzer harnesses built in BUILD-DIR one after another,
# SECONDS each, and prints one line per harness: executions, exec/s, the
# coverage libFuzzer reports at the end (cov: edges, ft: features), the
# corpus size and what it found.  Exits non-zero when anything was found.
#
# Each harness starts from its committed seeds (fuzz/corpus/NAME/) plus the
# inputs earlier runs found (BUILD-DIR/corpus/NAME/, where new ones go), with
# fuzz/NAME.dict when there is one.  A finding is written to
# BUILD-DIR/artifacts/NAME-crash-... (reproduce: BUILD-DIR/fuzz_NAME FILE).
# The runs are niced: they share the machine with builds and tests.
# usage: fuzz/run.sh BUILD-DIR SECONDS [NAME...]   (from the repository root)
set -u
build=$1 seconds=$2
shift 2
if [ $# -eq 0 ]; then
  set -- $(for f in fuzz/fuzz_*.c; do f=${f#fuzz/fuzz_}; echo "${f%.c}"; done)
fi
status=0
for name in "$@"; do
  work=$build/corpus/$name log=$build/fuzz_$name.log
  mkdir -p "$work" "$build/artifacts"
  dict=()
  [ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
  nice -n 10 "$build/fuzz_$name" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$name-" "${dict[@]}" "$work" "fuzz/corpus/$name" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.*corp: \([0-9]*\).*/\1/p' <<<"$last")
  found=$(grep -o "Test unit written to .*" "$log" | sed 's/Test unit written to //')
  printf '%-12s %10s runs %7s exec/s  cov %5s  ft %6s  corpus %5s  %s\n' "$name" "${runs:-?}" \
    "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${found:+FOUND $found}"
  if [ "$rc" -ne 0 ]; then
    grep -E '^(==[0-9]+==|SUMMARY|.*runtime error)' "$log" | head -n 5
    echo "$name: libFuzzer exited with $rc (log: $log)"
    status=1
  fi
done
exit $status
