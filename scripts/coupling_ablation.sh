#!/usr/bin/env bash
# The paper's coupling ablation on the built-in street scenes: the same paired RevGAN trained
# with additive and with affine coupling blocks (--coupling), same data, seed and steps; both
# translated both ways on the held-out scenes and scored. Prints one table (markdown) and
# leaves everything under OUT (default runs/coupling_ablation). The two trainings run one after
# the other, each with the threads of REVGAN_THREADS (default: all cores).
#
# usage: scripts/coupling_ablation.sh [OUT]
# environment: REVGAN_BUILD_DIR (default build, built already), REVGAN_ABLATION_EPOCHS
#   (default 3: 3 epochs at the initial rate + 3 of decay, 400 steps each), REVGAN_THREADS.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${REVGAN_BUILD_DIR:-build}/tools
out=${1:-runs/coupling_ablation}
epochs=${REVGAN_ABLATION_EPOCHS:-3}
threads=${REVGAN_THREADS:-$(nproc)}

for tool in revgan_datagen revgan_train revgan_infer revgan_eval; do
  [ -x "$bin/$tool" ] || { echo "coupling_ablation: $bin/$tool is missing; build first" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out"
"$bin/revgan_datagen" --out "$out/data" --kind aligned --size 64 --train 400 --test 50 --seed 1 >/dev/null

# A top-level number of one of our JSON files, to 4 decimals.
json_number() {
  LC_ALL=C printf '%.4f' "$(sed -n "s/^  \"$2\": \\([^,]*\\),\\{0,1\\}\$/\\1/p" "$1" | head -n 1 | tr -d '"')"
}

rows=()
for coupling in additive affine; do
  run=$out/$coupling
  start=$(date +%s)
  OMP_NUM_THREADS=$threads "$bin/revgan_train" --dataroot "$out/data" --name "$coupling" --checkpoints_dir "$out" \
    --model revgan_paired --coupling "$coupling" --ngf 16 --depth 4 --ndf 32 --n_epochs "$epochs" \
    --n_epochs_decay "$epochs" --preprocess none --seed 1 --print_freq 400 --display_freq 0 \
    --save_epoch_freq 100 --num_threads "$threads" >"$run.train.log"
  seconds=$(($(date +%s) - start))
  "$bin/revgan_infer" --checkpoint "$run/latest.h5" --direction AtoB --input "$out/data/test" --input-part A \
    --output "$run/photo2label" --quiet >/dev/null
  "$bin/revgan_infer" --checkpoint "$run/latest.h5" --direction BtoA --input "$out/data/test" --input-part B \
    --output "$run/label2photo" --quiet >/dev/null
  "$bin/revgan_eval" --kind labels --pred "$run/photo2label" --truth "$out/data/test" --truth-part B \
    --json "$run/photo2label.json" >/dev/null
  "$bin/revgan_eval" --kind images --pred "$run/label2photo" --truth "$out/data/test" --truth-part A \
    --json "$run/label2photo.json" >/dev/null
  last_loss=$(grep -o 'G_L1_A [0-9.]*' "$run.train.log" | tail -n 1 | cut -d' ' -f2)
  rows+=("| $coupling | $(json_number "$run/photo2label.json" pixel_accuracy) | $(json_number "$run/photo2label.json" mean_iou) | $(json_number "$run/label2photo.json" psnr) | $(json_number "$run/label2photo.json" ssim) | $(json_number "$run/label2photo.json" mae) | ${last_loss:-?} | $seconds |")
done

echo "| coupling | photo->label pixel acc. | mean IoU | label->photo PSNR (dB) | SSIM | MAE | last G_L1_A | train s |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
