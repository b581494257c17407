#!/usr/bin/env bash
# test_teach.sh — every walkthrough in scripts/teach/ runs straight through
# without a terminal (stdin from /dev/null), exits 0, and reports that every
# hand-derived gradient agrees with the engine's.
# usage: tests/cli/test_teach.sh path/to/luagrad
set -u
LG=${1:-./luagrad}
passed=0 failed=0
for lesson in scripts/teach/*.lua; do
  out=$("$LG" "$lesson" < /dev/null 2>&1)
  status=$?
  if [ "$status" -eq 0 ] && grep -q "comparisons agree" <<< "$out" && ! grep -q "DISAGREE" <<< "$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s (status %s):\n%s\n' "$lesson" "$status" "$out" | tail -n 30 >&2
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
