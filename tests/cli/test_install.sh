#!/usr/bin/env bash
# test_install.sh — `make install PREFIX=...` gives a luagrad that finds its
# libraries from any directory, a torch.so a stock lua5.4 can require from the
# installed paths, and `make uninstall` takes it all away again.
set -u
passed=0 failed=0
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
ok() { if "$@" >/dev/null 2>&1; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $*" >&2; fi; }

make -s install PREFIX="$prefix" >/dev/null
ok test -x "$prefix/bin/luagrad"
ok test -f "$prefix/lib/lua/5.4/torch.so"
ok test -f "$prefix/share/lua/5.4/luagrad/globals.lua"
ok bash -c "cd / && '$prefix/bin/luagrad' -e 'assert(torch.zeros(2, 3):numel() == 6)'"
ok bash -c "cd / && LUA_PATH='$prefix/share/lua/5.4/?.lua;$prefix/share/lua/5.4/?/init.lua' \
  LUA_CPATH='$prefix/lib/lua/5.4/?.so' lua5.4 -e 'assert(require(\"torch\").zeros(4):numel() == 4)'"
make -s uninstall PREFIX="$prefix" >/dev/null
ok test ! -e "$prefix/bin/luagrad"
ok test ! -e "$prefix/lib/lua/5.4/torch.so"
ok test ! -e "$prefix/share/lua/5.4/luagrad/globals.lua"

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
