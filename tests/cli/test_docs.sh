#!/usr/bin/env bash
# test_docs.sh — the committed reference (docs/*.md) and man page
# (docs/luagrad.1) are what `make docs` makes now, the man page renders
# without a warning and names every environment variable the code reads.
# (tests/lua/test_from_pytorch.lua checks the hand-written docs/from-pytorch.md.)
# usage: tests/cli/test_docs.sh [LUAGRAD]   (from the repository root)
set -u
lg=${1:-./luagrad}
passed=0 failed=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*" >&2; }

# Generated twice would differ if an example printed unseeded random numbers,
# a time or an address: a fresh run must equal what is committed.
if "$lg" scripts/docs/gen.lua "$out" >"$out/.log" 2>&1; then ok; else fail "gen.lua: $(cat "$out/.log")"; fi
for f in "$out"/*.md "$out"/luagrad.1; do
  name=${f##*/}
  if diff -u "docs/$name" "$f" >"$out/.diff" 2>&1; then ok
  else fail "docs/$name is stale (run make docs):"; head -n 20 "$out/.diff" >&2; fi
done
for f in docs/*.md docs/luagrad.1; do
  [ "$f" = docs/from-pytorch.md ] && continue
  [ -e "$out/${f##*/}" ] && ok || fail "$f is no longer generated (remove it)"
done

# groff's warnings (-ww) are what man would show as broken formatting.
warnings=$(groff -man -ww -z -Tutf8 docs/luagrad.1 2>&1)
[ -z "$warnings" ] && ok || fail "groff warns about docs/luagrad.1: $warnings"
if command -v man >/dev/null; then
  man -l docs/luagrad.1 2>/dev/null | grep -q 'LUAGRAD_PATH' && ok || fail "man -l docs/luagrad.1 does not render"
fi

# Every variable the C code (getenv, setenv) or the Lua code (os.getenv) reads.
vars=$( (grep -rhoE '(get|set)env\("[A-Z_0-9]+"' vm tensor autograd; grep -rhoE 'os\.getenv ?\(? ?"[A-Z_0-9]+"' lib) |
  grep -oE '"[A-Z_0-9]+"' | tr -d '"' | sort -u)
for v in $vars; do
  grep -qE "^\.B .*\b$v\b" docs/luagrad.1 && ok || fail "the man page's ENVIRONMENT does not name $v"
done

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
