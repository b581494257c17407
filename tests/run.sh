#!/usr/bin/env bash
# run.sh — runs every test suite and adds up their closing lines
# ("N passed, M failed") into one; exits non-zero when anything failed.
# usage: tests/run.sh [BUILD-DIR]   (run from the repository root, after make)
# LUAGRAD names the executable under test (default ./luagrad); a sanitized
# build skips the stock-lua5.4 module check, whose host is not instrumented,
# and the install and docs suites, which test files rather than code.
set -u
build=${1:-build}
lg=${LUAGRAD:-./luagrad}
total_passed=0 total_failed=0

# suite NAME command...: runs it, echoes its failures, adds its counts.
suite() {
  local name=$1
  shift
  local out last p f
  out=$("$@" 2>&1)
  last=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
  if [ -z "$last" ]; then
    printf '%s\n' "$out"
    printf '%-28s did not finish (no summary line)\n' "$name"
    total_failed=$((total_failed + 1))
    return
  fi
  p=${last%% passed*}
  f=${last#*, }
  f=${f%% failed*}
  [ "$f" -gt 0 ] && printf '%s\n' "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
  printf '%-28s %s\n' "$name" "$last"
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
}

for t in "$build"/tests/test_*; do
  [ -x "$t" ] && suite "c: ${t##*/}" "$t"
done
suite "lua: tests/lua" "$lg" tests/lua/run.lua
if [ "$lg" = ./luagrad ]; then
  suite "module: lua5.4 require" lua5.4 tests/lua/module_check.lua
  suite "install: make install" tests/cli/test_install.sh
  suite "docs: make docs, man page" tests/cli/test_docs.sh "$lg"
fi
# The bad-input sweep runs in a scratch directory: some calls write files.
scratch=$(mktemp -d)
suite "sweep: tests/sweep" bash -c 'cd "$1" && "$2" "$3"' _ "$scratch" "$(realpath "$lg")" "$PWD/tests/sweep/sweep.lua"
rm -rf "$scratch"
suite "cli: tests/cli" tests/cli/test_cli.sh "$lg"
suite "scripts: training programs" tests/cli/test_scripts.sh "$lg"
suite "teach: walkthroughs" tests/cli/test_teach.sh "$lg"
suite "dist: processes over MPI" tests/cli/test_dist.sh "$lg"
suite "repl: tests/repl" "$build/ptydrive" "$lg" tests/repl/*.repl

echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
