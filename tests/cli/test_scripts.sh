#!/usr/bin/env bash
# test_scripts.sh — the training programs run end to end on real data: the
# regressions recover the parameters their data came from; the MLP trains
# on Fashion-MNIST, ends with "test accuracy: NN.NN%", and a run stopped
# after one epoch and resumed gives the same checkpoint, byte for byte, as
# an uninterrupted run; options are checked.
# usage: tests/cli/test_scripts.sh path/to/luagrad   (from the repository root)
set -u
source "$(dirname "$0")/check.sh"
LG=$(realpath "${1:-./luagrad}")
scripts=$(realpath scripts)
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# The data come from w = 2, b = 0.5; logistic from the unit boundary (0.6, -0.8).
check "linear regression" 0 "learned w = (1\.9[5-9]|2\.0[0-4])[0-9]*  \(true 2\.0000\)" -- \
  "$LG" "$scripts/linear_regression.lua" --quiet
check "logistic regression" 0 "learned boundary: \(0\.[56][0-9]*, -0\.[78][0-9]*\)" -- \
  "$LG" "$scripts/logistic_regression.lua" --quiet
check "mlp regression" 0 "loss: 1\.[0-9]+ -> 0\.[0-9]+ after 1000 steps" -- \
  "$LG" "$scripts/mlp_regression.lua" --quiet
check "--help" 0 "--batch-size N" -- "$LG" "$scripts/mnist_mlp.lua" --help
check "unknown option" 2 "error: unknown option '--epocs'" -- "$LG" "$scripts/mnist_mlp.lua" --epocs 3

# Two epochs straight, and one epoch then a resumed second one.
check "mnist_mlp trains" 0 "test accuracy: (8[4-9]|9[0-9])\.[0-9]{2}%$" -- \
  "$LG" "$scripts/mnist_mlp.lua" --epochs 2 --save straight.safetensors
check "mnist_mlp first epoch" 0 "^epoch 1/1 " -- \
  "$LG" "$scripts/mnist_mlp.lua" --epochs 1 --save resumed.safetensors
check "mnist_mlp resumed" 0 "resumed from resumed.safetensors after epoch 1" -- \
  "$LG" "$scripts/mnist_mlp.lua" --epochs 2 --resume resumed.safetensors --save resumed.safetensors
check "resume = uninterrupted run" 0 "" -- cmp straight.safetensors resumed.safetensors

# The CNN, with its per-batch learning-rate schedule in the checkpoint too:
# a run killed (kill -9) once its first checkpoint is on disk, then resumed,
# ends where an uninterrupted run ends.
check "cnn trains" 0 "test accuracy: (8[0-9]|9[0-9])\.[0-9]{2}%$" -- \
  "$LG" "$scripts/cnn.lua" --epochs 2 --save cnn_straight.safetensors --quiet
"$LG" "$scripts/cnn.lua" --epochs 2 --save cnn_resumed.safetensors --quiet > /dev/null 2>&1 &
pid=$!
# Up to 10 minutes: a sanitized build on a busy machine takes over a minute an epoch.
for _ in $(seq 6000); do [ -e cnn_resumed.safetensors ] && break; sleep 0.1; done
kill -9 "$pid" 2> /dev/null
wait "$pid" 2> /dev/null
check "cnn resumed after kill -9" 0 "test accuracy" -- \
  "$LG" "$scripts/cnn.lua" --epochs 2 --resume cnn_resumed.safetensors --save cnn_resumed.safetensors --quiet
check "cnn resume = uninterrupted run" 0 "" -- cmp cnn_straight.safetensors cnn_resumed.safetensors

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
