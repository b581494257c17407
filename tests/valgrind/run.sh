#!/usr/bin/env bash
# run.sh — valgrind --leak-check=full over the training and teaching
# programs, in short runs: the MLP and the CNN train one epoch on the first
# 1,000 Fashion-MNIST images (small_mnist.lua), and every lesson in
# scripts/teach/ and the tour run whole.  One line per program: the bytes
# definitely lost, possibly lost and still reachable, and valgrind's error
# count; exits non-zero when anything is definitely lost or an error is
# reported (`make valgrind`; too slow for CI: ~30x slower than native).
#
# luagrad sets two thread variables and re-executes itself when they are
# unset (vm/main.c); under valgrind /proc/self/exe is valgrind's own tool, so
# they are set here.  OPENBLAS_CORETYPE=Haswell also keeps OpenBLAS off its
# AVX-512 kernels, which valgrind cannot run.
# usage: tests/valgrind/run.sh [path/to/luagrad]   (from the repository root)
set -u
LG=${1:-./luagrad}
export OMP_WAIT_POLICY=passive OPENBLAS_CORETYPE=Haswell
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
small=$tmp/fashion-small
mkdir -p "$small"
"$LG" tests/valgrind/small_mnist.lua /usr/share/datasets/fashion-mnist "$small" 1000 200 || exit 1

status=0
# check NAME command...: runs it under valgrind and reports its leak summary.
check() {
  local name=$1 log=$tmp/valgrind.log
  shift
  valgrind --leak-check=full --log-file="$log" "$@" > /dev/null 2>&1
  local rc=$?
  local definite possible reachable errors
  definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log")
  possible=$(sed -n 's/.*possibly lost: \([0-9,]*\) bytes.*/\1/p' "$log")
  reachable=$(sed -n 's/.*still reachable: \([0-9,]*\) bytes.*/\1/p' "$log")
  errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log")
  printf '%-36s exit %s  definitely lost %s  possibly lost %s  still reachable %s  errors %s\n' "$name" "$rc" \
    "${definite:-0}" "${possible:-0}" "${reachable:-0}" "${errors:-?}"
  if [ "$rc" -ne 0 ] || [ "${definite:-0}" != 0 ] || [ "${errors:-1}" != 0 ]; then
    grep -E -A12 'definitely lost in|Invalid|uninitialised|Mismatched' "$log" | head -n 60
    status=1
  fi
}

check "mnist_mlp (1 epoch, 1000 images)" "$LG" scripts/mnist_mlp.lua --epochs 1 --data "$small" --save none \
  --threads 1 --quiet
check "cnn (1 epoch, 1000 images)" "$LG" scripts/cnn.lua --epochs 1 --data "$small" --save none --threads 1 --quiet
for script in scripts/teach/*.lua scripts/tour.lua; do
  check "$script" "$LG" "$script"
done
exit $status
