#!/usr/bin/env bash
# test_cli.sh — the command line behaves like lua's: -e, -v, -h, -l, scripts
# with arguments, stdin, error exits with tracebacks, LUAGRAD_PATH, and any
# working directory.  Usage: tests/cli/test_cli.sh path/to/luagrad
set -u
LG=$(realpath "${1:-./luagrad}")
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check NAME EXPECTED-STATUS EXPECTED-OUTPUT-SUBSTRING -- command...
check() {
  local name=$1 want_status=$2 want=$3
  shift 4
  local out status
  out=$("$@" 2>&1)
  status=$?
  if [ "$status" -eq "$want_status" ] && [[ "$out" == *"$want"* ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s: status %s (want %s), output:\n%s\n' "$name" "$status" "$want_status" "$out" >&2
  fi
}

check "-e prints" 0 "2" -- "$LG" -e 'print(1+1)'
check "stdin pipe runs as script" 0 "1024.0" -- bash -c "echo 'x = 2^10 print(x)' | '$LG'"
check "- reads stdin" 0 "from stdin	a" -- bash -c "echo 'print(\"from stdin\", ...)' | '$LG' - a"
check "-v" 0 "luagrad 0." -- "$LG" -v
check "-h" 0 "usage:" -- "$LG" -h
check "bad option" 1 "unrecognized option '-z'" -- "$LG" -z
check "-e without code" 1 "'-e' needs an argument" -- "$LG" -e
check "missing script" 1 "cannot open nosuchfile.lua" -- "$LG" nosuchfile.lua

# OpenBLAS's AVX-512 kernels when the CPU has them and no core type is set;
# an explicit OPENBLAS_CORETYPE is left alone.
want_core=unset
if grep -q avx512f /proc/cpuinfo && grep -q avx512bw /proc/cpuinfo && grep -q avx512dq /proc/cpuinfo &&
   grep -q avx512vl /proc/cpuinfo; then want_core=SkylakeX; fi
check "AVX-512 BLAS kernels chosen" 0 "core $want_core" -- \
  env -u OPENBLAS_CORETYPE "$LG" -e 'print("core " .. (os.getenv("OPENBLAS_CORETYPE") or "unset"))'
check "OpenMP workers sleep between regions" 0 "wait passive" -- \
  env -u OMP_WAIT_POLICY "$LG" -e 'print("wait " .. os.getenv("OMP_WAIT_POLICY"))'
check "OMP_WAIT_POLICY respected" 0 "wait active" -- \
  env OMP_WAIT_POLICY=active "$LG" -e 'print("wait " .. os.getenv("OMP_WAIT_POLICY"))'
check "OPENBLAS_CORETYPE respected" 0 "core Haswell" -- \
  env OPENBLAS_CORETYPE=Haswell "$LG" -e 'print("core " .. os.getenv("OPENBLAS_CORETYPE"))'

cat > "$tmp/args.lua" <<'LUA'
print(arg[0], arg[1], arg[2], #arg, select("#", ...), ...)
LUA
check "script args" 0 "$tmp/args.lua	a	b c	2	2	a	b c" -- "$LG" "$tmp/args.lua" a "b c"
echo 'print(arg[-1])' > "$tmp/neg.lua"
check "arg[-1] is the interpreter" 0 "$LG" -- "$LG" "$tmp/neg.lua"

cat > "$tmp/fails.lua" <<'LUA'
local function inner() error("something broke") end
local function outer() inner() end
outer()
LUA
check "runtime error exits 1" 1 "something broke" -- "$LG" "$tmp/fails.lua"
check "runtime error has traceback" 1 "in local 'outer'" -- "$LG" "$tmp/fails.lua"
check "syntax error exits 1" 1 "unexpected symbol" -- "$LG" -e 'x = = 1'
check "tracebacks name torch functions" 1 "in function 'torch.matmul'" -- \
  "$LG" -e 'torch.zeros(2, 3):matmul(torch.zeros(4, 5))'
check "error object that is not a string" 1 "error object is a table value" -- "$LG" -e 'error({})'

check "globals ready" 0 "table	table	table	table	table	function" -- \
  "$LG" -e 'print(type(torch), type(nn), type(optim), type(data), type(F), type(help))'
check "require returns the globals" 0 "true	true" -- \
  "$LG" -e 'print(require("torch") == torch, require("nn").functional == F)'
check "libraries found from another directory" 0 "ok" -- bash -c "cd / && '$LG' -e 'assert(torch.help) print(\"ok\")'"

mkdir -p "$tmp/mylib"
echo 'return {answer = 42}' > "$tmp/mylib/answer.lua"
check "LUAGRAD_PATH" 0 "42" -- env LUAGRAD_PATH="$tmp/mylib" "$LG" -e 'print(require("answer").answer)'
check "-l loads a module into a global" 0 "42" -- env LUAGRAD_PATH="$tmp/mylib" "$LG" -l answer -e 'print(answer.answer)'
check "-i after a script" 0 "done" -- bash -c "echo 'print(\"done\")' | '$LG' -i '$tmp/args.lua'"

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
