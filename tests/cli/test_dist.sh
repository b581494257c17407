#!/usr/bin/env bash
# test_dist.sh — data-parallel training across real processes, started by
# Open MPI's mpirun on this machine: the collectives and DDP
# (tests/dist/collectives.lua, its cases counted here), the issue's
# correctness test (the same global batch on 1 and on 2 processes ends at
# the same parameters, to float32 rounding; the bucket size changes nothing),
# the MLP script under mpirun, what happens at exit (a normal one finalizes
# MPI, a failing one stops the whole job instead of hanging), and the thread
# default.  Without mpirun or an MPI build only the checks that need neither
# run.
# usage: tests/cli/test_dist.sh path/to/luagrad   (from the repository root)
set -u
source "$(dirname "$0")/check.sh"
LG=$(realpath "${1:-./luagrad}")
root=$(pwd)
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# CI runs as root, which Open MPI refuses unless told; the processes talk
# through shared memory only (loopback); a machine with fewer cores than
# processes is allowed; waiting processes yield their core (the machine may
# be busy with other work).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_mpi_yield_when_idle=1
# Sanitized builds: Open MPI keeps memory until exit, which is not ours to report.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# mpi N args...: N processes of luagrad, stopped if they hang.
mpi() {
  local n=$1
  shift
  timeout 120 mpirun -np "$n" "$LG" "$@"
}

# What a build without MPI does, simulated by taking the binding away:
# alone it is a world of 1; started as one of several processes it refuses.
check "no MPI, alone: a world of 1" 0 "^rank 0 of 1$" -- \
  "$LG" -e 'torch._mpi = nil; print("rank " .. dist.rank() .. " of " .. dist.world_size())'
check "no MPI, under a launcher: an error" 1 "one of 2 processes, but this luagrad was built without MPI" -- \
  env OMPI_COMM_WORLD_SIZE=2 "$LG" -e 'torch._mpi = nil; dist.init()'

if ! command -v mpirun > /dev/null || ! "$LG" -e 'os.exit(dist.is_available())'; then
  echo "test_dist: no mpirun or no MPI in this build; the multi-process checks are skipped" >&2
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
fi

# The collectives and DDP: their own cases, counted into ours.
out=$(mpi 2 "$root/tests/dist/collectives.lua" 2>&1)
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<< "$out" | tail -n 1)
if [ -n "$last" ]; then
  passed=$((passed + ${last%% passed*}))
  f=${last#*, }
  failed=$((failed + ${f%% failed*}))
  [ "${f%% failed*}" -eq 0 ] || printf '%s\n' "$out" >&2
else
  failed=$((failed + 1))
  printf 'FAIL collectives did not finish:\n%s\n' "$(tail -n 30 <<< "$out")" >&2
fi

# The same global batch on 1 process and on 2 (with one bucket and with a
# bucket per parameter) gives the same parameters.
train="$root/tests/dist/train_equal.lua"
check "train on 1 process" 0 "" -- "$LG" "$train" one.safetensors
check "train on 2 processes" 0 "" -- mpi 2 "$train" two.safetensors
check "train on 2 processes, small buckets" 0 "" -- mpi 2 "$train" small.safetensors 1e-5
cat > compare.lua << 'EOF'
local a, b = torch.load(arg[1]), torch.load(arg[2])
local worst = 0
for k, v in pairs(a) do worst = math.max(worst, (v - b[k]):abs():max():item() / (1 + v:abs():max():item())) end
print(string.format("largest difference %.3g", worst))
os.exit(worst <= tonumber(arg[3]))
EOF
check "1 process = 2 processes (float32 rounding)" 0 "largest difference" -- \
  "$LG" compare.lua one.safetensors two.safetensors 1e-5
check "the bucket size changes nothing" 0 "largest difference 0$" -- \
  "$LG" compare.lua two.safetensors small.safetensors 0

# The MLP script: under mpirun it is data-parallel by itself; only rank 0
# prints and saves; the checkpoint resumes in a plain run.
out=$(mpi 2 "$root/scripts/mnist_mlp.lua" --epochs 1 --save ddp.safetensors 2>&1)
check "mnist_mlp on 2 processes" 0 "test accuracy: (7[5-9]|8[0-9])\.[0-9]{2}%" -- printf '%s\n' "$out"
check "only rank 0 reports" 0 "^1 1 1$" -- bash -c 'for p in "^MLP\(" "epoch 1/1  train loss" "^test accuracy"; do
  tr "\r" "\n" <<< "$1" | grep -Ec "$p"; done | xargs' _ "$out"
check "its checkpoint resumes in one process" 0 "resumed from ddp.safetensors after epoch 1" -- \
  "$LG" "$root/scripts/mnist_mlp.lua" --epochs 1 --resume ddp.safetensors --save none
check "a global batch that does not split" 1 "--batch-size 101 does not split evenly over 2 processes" -- \
  mpi 2 "$root/scripts/mnist_mlp.lua" --batch-size 101

# Exits: a normal end (and os.exit) finalizes MPI, so mpirun reports nothing;
# an error in one process stops the job rather than leaving the other
# waiting in a collective.
silent() { local out; out=$("$@" 2>&1) && [ -z "$out" ] || { printf '%s\n' "$out"; return 1; }; }
check "a normal end finalizes" 0 "" -- silent mpi 2 -e 'dist.barrier()'
check "os.exit finalizes" 0 "" -- silent mpi 2 -e 'dist.barrier(); os.exit(0)'
check "an error in one process stops the job" 1 "boom" -- \
  mpi 2 -e 'if dist.rank() == 1 then error("boom") end dist.barrier()'

# Processes share the cores: each gets its share unless OMP_NUM_THREADS says.
# (Unbound: Open MPI's default binding to one core each would give 1 anyway.)
threads() { mpirun --bind-to none -np 2 "$LG" -e 'print(torch.get_num_threads())' | tr -d '\r\n'; echo; }
cores=$(nproc)
share=$((cores / 2 > 0 ? cores / 2 : 1))
check "threads: a share of the cores" 0 "^$share$share$" -- threads
export OMP_NUM_THREADS=3
check "threads: OMP_NUM_THREADS wins" 0 "^33$" -- threads
unset OMP_NUM_THREADS

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
