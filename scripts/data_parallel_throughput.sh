#!/usr/bin/env bash
# Data-parallel throughput on one machine: the same paired RevGAN (ngf 16, depth 4, 64x64,
# 2 epochs of 200 samples) trained by 1 rank x 2 OpenMP threads with batch 2 and by 2 MPI ranks
# x 1 thread with batch 1 each (the same samples per step), three interleaved rounds. Prints the
# wall time of each run (start-up included; samples/s = 400 / seconds), the load before each
# round and the all-reduce line of the MPI run.
# usage: scripts/data_parallel_throughput.sh   (REVGAN_BUILD_DIR: default build, built already)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${REVGAN_BUILD_DIR:-build}/tools
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin/revgan_datagen" --out "$work/data" --kind aligned --size 64 --train 200 --test 2 --seed 1 >/dev/null
common=(--dataroot "$work/data" --model revgan_paired --ngf 16 --depth 4 --ndf 32 --n_epochs 2 --n_epochs_decay 0
  --preprocess none --seed 1 --print_freq 100000 --display_freq 0 --save_epoch_freq 100
  --checkpoints_dir "$work/runs")
seconds_since() { echo "$(date +%s.%N) - $1" | bc; }
for round in 1 2 3; do
  echo "round $round, load $(cut -d' ' -f1-3 /proc/loadavg)"
  rm -rf "$work/runs"
  start=$(date +%s.%N)
  OMP_NUM_THREADS=2 "$bin/revgan_train" "${common[@]}" --name one --batch_size 2 --num_threads 2 >"$work/one.log" 2>&1
  echo "1 rank x 2 threads: $(seconds_since "$start") s"
  start=$(date +%s.%N)
  OMP_NUM_THREADS=1 mpirun --allow-run-as-root --oversubscribe --bind-to none -np 2 "$bin/revgan_train" "${common[@]}" \
    --name two --batch_size 1 --num_threads 1 >"$work/two.log" 2>&1
  echo "2 ranks x 1 thread: $(seconds_since "$start") s, $(grep -o 'all-reduce per step.*' "$work/two.log" | head -n 1)"
done
