#!/usr/bin/env bash
# How long `thermo run` takes to stop after SIGTERM: starts the main job with SEEDS seeds per η
# (default 2000: 8,000 runs, 2,000 training together) into a temporary directory, sends SIGTERM
# AFTER seconds later (default 40, inside the first group's step-0 record or training), and prints
# and writes (to OUT, default benchmarks/results/<date>-<host>-stop.json) the seconds from the signal
# to the exit and the exit code (143 expected). Run from the project root after `npm run build`:
#   bash benchmarks/stop.sh [SEEDS] [AFTER] [OUT]
set -u
SEEDS=${1:-2000}
AFTER=${2:-40}
OUT=${3:-benchmarks/results/$(date -u +%Y-%m-%d)-$(hostname)-stop.json}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
node dist/lib/cli/main.js run fig2-two-layer --seeds "$SEEDS" --out "$DIR" > "$DIR.log" 2>&1 &
pid=$!
sleep "$AFTER"
t0=$(date +%s.%N)
kill -TERM "$pid"
wait "$pid"
rc=$?
t1=$(date +%s.%N)
stop=$(echo "$t1 - $t0" | bc)
checkpoints=$(find "$DIR" -name checkpoint.json | wc -l)
rm -f "$DIR.log"
printf '{\n "what": "seconds from SIGTERM to exit of thermo run fig2-two-layer --seeds %s, signal %s s after the start",\n "date": "%s",\n "host": "%s",\n "seeds": %s,\n "signalAfterSeconds": %s,\n "stopSeconds": %s,\n "exitCode": %s,\n "checkpointsWritten": %s\n}\n' \
  "$SEEDS" "$AFTER" "$(date -u +%FT%TZ)" "$(hostname)" "$SEEDS" "$AFTER" "$stop" "$rc" "$checkpoints" | tee "$OUT"
