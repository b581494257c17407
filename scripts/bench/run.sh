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
  if $have_torch && [ -f "$py" ]; then
    for threads in 1 2; do THREADS=$threads /usr/bin/python3 -I "$py" >> "$out/pytorch"; done
  fi
done
"$build/bench_sgemm" > "$out/reference"
# The peak resident memory of the MLP training script, one epoch, in bytes.
if rss_kb=$( { /usr/bin/time -f "%M" ./luagrad scripts/mnist_mlp.lua --epochs 1 --save none >/dev/null; } 2>&1 ); then
  echo "peak_rss_mlp $(( ${rss_kb##*$'\n'} * 1024 ))" >> "$out/luagrad"
fi
declare -A lg pt ref
while read -r k v; do lg[$k]=$v; done < "$out/luagrad"
# PyTorch ran with 1 and with 2 threads: keep its faster time.
while read -r k v; do
  if [ -z "${pt[$k]:-}" ] || awk -v a="$v" -v b="${pt[$k]}" 'BEGIN { exit !(a < b) }'; then pt[$k]=$v; fi
done < "$out/pytorch"
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
row lenet_epoch "<= PyTorch (LeNet-5, the same recipe)" 'p != "" && l <= p'
row fmnist_epoch "<= PyTorch (shuffled epoch, batch 100, normalised)" 'p != "" && l <= p'
row adam_mlp_step "<= PyTorch (Adam step, 784-128-128-10 MLP)" 'p != "" && l <= p'
row sgd_mlp_step "(SGD momentum step, same MLP)" '1'
row cross_entropy_100x10 "<= PyTorch (F.cross_entropy fwd+bwd, 100x10)" 'p != "" && l <= p'
row cross_entropy_1000x1000 "<= PyTorch (F.cross_entropy fwd+bwd, 1000x1000)" 'p != "" && l <= p'
row softmax_1000x1000 "<= PyTorch (x:softmax(2), 1000x1000)" 'p != "" && l <= p'
row log_softmax_1000x1000 "<= PyTorch (x:log_softmax(2), 1000x1000)" 'p != "" && l <= p'

# Issue 10's goals: absolute times on this machine, next to PyTorch's figure
# there; met when the ratio in this run is at most goal / that figure.
row10() {
  awk -v n="$1" -v goal="$2" -v r="$3" -v l="${lg[$1]:-}" -v p="${pt[$1]:-}" '
    function human(t) { return t < 1e-3 ? sprintf("%.3f us", t * 1e6) : t < 1 ? sprintf("%.3f ms", t * 1e3) : sprintf("%.3f s", t) }
    BEGIN {
      if (l == "") { printf "%-16s (not measured)\n", n; exit }
      ratio = (p == "") ? "-" : sprintf("%.3f", l / p)
      met = (p != "" && l / p <= r) ? "yes" : "NO"
      printf "%-16s %12s %12s %8s   %-36s %s\n", n, human(l), (p == "") ? "-" : human(p), ratio, goal, met }'
}
echo
echo "Issue 10 goals (PyTorch at its faster thread count)"
printf '%-16s %12s %12s %8s   %-36s %s\n' benchmark luagrad PyTorch ratio "goal: ratio <= goal / issue's PyTorch" met
row10 add_10 "0.15 us / 1.0 us = 0.15" 0.15
row10 backward_10 "2 us / 17 us = 0.118" 0.118
row10 add_16M "5 ms / 90 ms = 0.056" 0.056
row10 sum_16M "1.3 ms / 1.1 ms = 1.18" 1.18
row10 matmul_1024 "6 ms / 10 ms = 0.6" 0.6
row10 mlp_epoch "0.2 s / 0.5 s = 0.4" 0.4
row10 lenet_epoch "1.5 s / 4.2 s = 0.357" 0.357
awk -v b="${lg[peak_rss_mlp]:-0}" 'BEGIN {
  printf "%-16s %9.1f MB %12s %8s   %-36s %s\n", "peak_rss_mlp", b / 2^20, "-", "-", "<= 150 MB (mnist_mlp.lua, 1 epoch)",
         (b > 0 && b <= 150 * 2^20) ? "yes" : "NO" }'
