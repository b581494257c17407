#!/usr/bin/env bash
# test_install.sh — `make install PREFIX=...` gives a luagrad that finds its
# libraries from any directory, its man page and its scripts; a stock lua5.4
# requires torch, nn, optim and data from the installed paths and trains a
# small model exactly as luagrad does (tests/cli/train_tiny.lua); `make
# uninstall` takes it all away again.  The luarocks rockspec has luagrad's
# version, and (with luarocks installed) `luarocks make` builds a tree that
# works the same way.
set -u
passed=0 failed=0
prefix=$(mktemp -d)
tree=$(mktemp -d)
trap 'rm -rf "$prefix" "$tree"' EXIT
ok() { if "$@" >/dev/null 2>&1; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $*" >&2; fi; }
same() {   # same WHAT EXPECTED GOT
  if [ "$2" = "$3" ]; then passed=$((passed + 1))
  else failed=$((failed + 1)); printf 'FAIL: %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3" >&2; fi
}
train=$PWD/tests/cli/train_tiny.lua
reference=$(./luagrad "$train")

# The loss of the last epoch is below the first's.
falls() { printf '%s\n' "$1" | awk 'NR == 1 {first = $4} END {exit !(NR == 5 && $4 < first / 2)}'; }
ok falls "$reference"

make -s install PREFIX="$prefix" >/dev/null
ok test -x "$prefix/bin/luagrad"
ok test -f "$prefix/lib/lua/5.4/torch.so"
ok test -f "$prefix/share/lua/5.4/luagrad/globals.lua"
ok test -f "$prefix/share/man/man1/luagrad.1"
ok test -f "$prefix/share/luagrad/scripts/mnist_mlp.lua"
ok test -f "$prefix/share/luagrad/scripts/teach/01_chain_rule.lua"
ok test -f "$prefix/share/doc/luagrad/index.md"
ok bash -c "cd / && '$prefix/bin/luagrad' -e 'assert(torch.zeros(2, 3):numel() == 6)'"
ok bash -c "cd / && '$prefix/bin/luagrad' '$prefix/share/luagrad/scripts/linear_regression.lua' --epochs 5 --quiet"
ok bash -c "MANPATH='$prefix/share/man' man -w luagrad | grep -q '$prefix'"
lua_path="$prefix/share/lua/5.4/?.lua;$prefix/share/lua/5.4/?/init.lua"
same "the installed luagrad trains as the built one" "$reference" "$(cd / && "$prefix/bin/luagrad" "$train")"
same "lua5.4 with require trains as luagrad" "$reference" \
  "$(cd / && LUA_PATH="$lua_path" LUA_CPATH="$prefix/lib/lua/5.4/?.so" lua5.4 "$train" 2>&1)"
make -s uninstall PREFIX="$prefix" >/dev/null
ok test ! -e "$prefix/bin/luagrad"
ok test ! -e "$prefix/lib/lua/5.4/torch.so"
ok test ! -e "$prefix/share/luagrad"
ok test ! -e "$prefix/share/doc/luagrad"
ok test ! -e "$prefix/share/lua/5.4/nn"
same "nothing is left installed" "" "$(find "$prefix" -type f)"

# The rockspec: luagrad-<version>-1.rockspec with the version vm/luagrad.h gives.
version=$(sed -n 's/^#define LUAGRAD_VERSION "\(.*\)"$/\1/p' vm/luagrad.h)
rockspec=luagrad-$version-1.rockspec
ok test -f "$rockspec"
same "the rockspec's version" "version = \"$version-1\"" "$(grep '^version = ' "$rockspec" 2>/dev/null)"
same "one rockspec" "$rockspec" "$(ls luagrad-*.rockspec)"
if command -v luarocks >/dev/null; then
  if luarocks --lua-version 5.4 make --tree "$tree" "$rockspec" >"$tree.log" 2>&1; then
    passed=$((passed + 1))
    paths=$(luarocks --lua-version 5.4 path --tree "$tree")
    same "lua5.4 from the luarocks tree trains as luagrad" "$reference" \
      "$(cd / && eval "$paths" && lua5.4 "$train" 2>&1)"
    same "the tree has every Lua library" "$(cd lib && find . -name '*.lua' | sort)" \
      "$(cd "$tree/share/lua/5.4" && find . -name '*.lua' | sort)"
  else
    failed=$((failed + 1)); echo "FAIL: luarocks make:" >&2; tail -n 20 "$tree.log" >&2
  fi
  rm -f "$tree.log"
else
  echo "luarocks is not installed: the rockspec is not built (make deps installs it)" >&2
fi

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
