#!/usr/bin/env bash
# run.sh — luagrad's benchmarks side by side with PyTorch (when
# Debian's python3-torch is installed) and a bare cblas_sgemm, in one run,
# as ratios: absolute times drift on a shared machine, ratios in one run less.
# usage: scripts/bench/run.sh   (from the repository root, after make)
set -eu
here=$(dirname "$0")
build=${BUILD:-build}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
have_torch=false
if /usr/bin/python3 -I -c "import torch" 2>/dev/null; then   # -I: not ./torch.so
  have_torch=true
else
  echo "(python3-torch is not installed: 'make bench-deps' installs it; PyTorch columns stay empty)"
fi
# Every NAME.lua here prints "key seconds" lines; NAME.py does the same work in PyTorch.
: > "$out/luagrad"
: > "$out/pytorch"
for script in "$here"/*.lua; do
  [ "${script##*/}" = timing.lua ] && continue          # shared helpers, not a benchmark
  ./luagrad "$script" >> "$out/luagrad"
  py=${script%.lua}.py
  if $have_torch && [ -f "$py" ]; then /usr/bin/python3 -I "$py" >> "$out/pytorch"; fi
done
"$build/bench_sgemm" > "$out/reference"
declare -A lg pt ref
while read -r k v; do lg[$k]=$v; done < "$out/luagrad"
while read -r k v; do pt[$k]=$v; done < "$out/pytorch"
while read -r k v; do ref[$k]=$v; done < "$out/reference"

# row NAME GOAL-TEXT CHECK: CHECK is an awk condition on l (luagrad), p (PyTorch), r (reference)
row() {
  awk -v n="$1" -v goal="$2" -v l="${lg[$1]}" -v p="${pt[$1]:-}" -v r="${4:-}" "BEGIN {
    ratio = (p == \"\") ? \"-\" : sprintf(\"%.2f\", l / p)
    met = ($3) ? \"yes\" : \"NO\"
    printf \"%-12s %12.3f %12s %8s   %-40s %s\n\", n, l * 1e6, (p == \"\") ? \"-\" : sprintf(\"%.3f\", p * 1e6), ratio, goal, met }"
}
printf '%-12s %12s %12s %8s   %-40s %s\n' benchmark "luagrad us" "PyTorch us" ratio goal met
row add_10 "<= 1/5 of PyTorch's time" 'p != "" && l <= p / 5'
row add_16M "<= PyTorch and <= 2x copy_16M (${lg[copy_16M]}s)" "p != \"\" && l <= p && l <= 2 * ${lg[copy_16M]}"
row copy_16M "(memcpy bandwidth reference)" '1'
row sum_16M ">= 80% of PyTorch's throughput" 'p != "" && l <= p / 0.8'
row matmul_1024 ">= 95% of bare sgemm (${ref[sgemm_1024]}s)" "l <= ${ref[sgemm_1024]} / 0.95"
row backward_10 "<= 1/5 of PyTorch's time" 'p != "" && l <= p / 5'
row mlp_step "<= PyTorch (MLP forward+backward, batch 100)" 'p != "" && l <= p'
row lenet_step "<= PyTorch (LeNet forward+backward, batch 100)" 'p != "" && l <= p'
row fmnist_decode "< 1 s (60,000 Fashion-MNIST images, .gz)" 'l < 1'
row maxpool2d_fwdbwd "<= PyTorch (100x6x28x28, 2x2)" 'p != "" && l <= p'
row batchnorm2d_fwdbwd "<= PyTorch (100x6x28x28, training)" 'p != "" && l <= p'
row lstm_step "<= PyTorch (2-layer LSTM 64->128, 20x32)" 'p != "" && l <= p'
row gru_step "<= PyTorch (2-layer GRU 64->128, 20x32)" 'p != "" && l <= p'
row embedding_step "<= PyTorch (10000x64, 32x50 indices)" 'p != "" && l <= p'
row dropout_1M "<= PyTorch (p=0.5, 1M elements)" 'p != "" && l <= p'
row mlp_epoch "<= PyTorch (mnist_mlp.lua's recipe, one epoch)" 'p != "" && l <= p'
row fmnist_epoch "<= PyTorch (shuffled epoch, batch 100, normalised)" 'p != "" && l <= p'
row adam_mlp_step "<= PyTorch (Adam step, 784-128-128-10 MLP)" 'p != "" && l <= p'
row sgd_mlp_step "(SGD momentum step, same MLP)" '1'
row cross_entropy_100x10 "<= PyTorch (F.cross_entropy fwd+bwd, 100x10)" 'p != "" && l <= p'
row cross_entropy_1000x1000 "<= PyTorch (F.cross_entropy fwd+bwd, 1000x1000)" 'p != "" && l <= p'
row softmax_1000x1000 "<= PyTorch (x:softmax(2), 1000x1000)" 'p != "" && l <= p'
row log_softmax_1000x1000 "<= PyTorch (x:log_softmax(2), 1000x1000)" 'p != "" && l <= p'
