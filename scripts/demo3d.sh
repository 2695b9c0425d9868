#!/usr/bin/env bash
# The 3D job on a real MRI: Colin27 (Debian's mricron-data) is cut into a training half and a
# held-out half, a RevGAN 3D model is trained for super-resolution on the first
# (configs/colin27_sr2x.conf), the block-averaged held-out half is translated and scored against
# its truth next to nearest, trilinear and cubic B-spline interpolation, and
# runs/demo3d/index.html shows the table and middle slices. Idempotent: every run starts from an
# empty runs/demo3d. Uses the GPU (and a larger model) when nvidia-smi works and the build has
# CUDA. REVGAN_SR_FACTOR=4,1,1 runs the thick-slice case (4x along D) instead of 2x per axis.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${REVGAN_DEMO_DIR:-runs/demo3d}
factor=${REVGAN_SR_FACTOR:-2}
volume=${REVGAN_SR_VOLUME:-/usr/share/mricron/templates/ch2.nii.gz}
# Training stops (saving its state) at this many minutes whatever the configuration; the
# configuration itself took 14 minutes on 2 cores shared with other jobs (load average ~8).
minutes=${REVGAN_DEMO_MINUTES:-28}

demo_name=demo3d
# shellcheck source=scripts/demo_common.sh
source scripts/demo_common.sh
build_demo_tools
phase_done "build"

choose_device

rm -rf "$out"
mkdir -p "$out"
# Left / right halves (the cut runs across W, NIfTI x); the held-out half is block-averaged by
# the factor exactly as training synthesises its inputs.
"$bin/revgan_datagen" --kind halves --volume "$volume" --axis W --factor "$factor" --out "$out/data"
phase_done "split"

# The configuration's CPU model (K = 16, R = 4, 24^3 patches); a GPU affords K = 32, R = 6,
# 32^3 patches and more steps in less time.
model_args=(--factor "$factor")
if [ "$device" = cuda ]; then
  model_args+=(--ngf 32 --depth 6 --patch_size 32 --n_epochs 20 --n_epochs_decay 20)
fi
echo "revgan demo3d: training on $device (stops after at most $minutes min)"
train_rc=0
timeout --preserve-status -s INT -k 120 "${minutes}m" \
  "$bin/revgan_train" --config configs/colin27_sr2x.conf --dataroot "$out/data/train" --name sr \
  --checkpoints_dir "$out/checkpoints" --device "$device" "${model_args[@]}" | tee "$out/train.log" || train_rc=$?
train_note="finished"
if [ "$train_rc" -eq 130 ]; then
  train_note="stopped at the ${minutes}-minute cap (state saved)"
elif [ "$train_rc" -ne 0 ]; then
  echo "revgan demo3d: training failed (exit $train_rc)" >&2
  exit 1
fi
"$bin/revgan_report" --run "$out/checkpoints/sr"
phase_done "training"
train_seconds=${timings[-1]#training: }

"$bin/revgan_infer" --volume --checkpoint "$out/checkpoints/sr/latest.h5" --input "$out/data/test_low" \
  --output "$out/pred" --factor "$factor" --device "$device" | tee "$out/infer.log"
phase_done "inference"

"$bin/revgan_eval" --kind volumes --pred "$out/pred" --truth "$out/data/test" --low "$out/data/test_low" \
  --factor "$factor" --slices "$out/slices" --json "$out/metrics.json" | tee "$out/metrics.txt"
phase_done "evaluation"

# "psnr" of one method in metrics.json (its first object), 2 decimals.
method_psnr() {
  sed -n "/^  \"$1\": {/,/}/s/^ *\"psnr\": \\([^,]*\\),\\{0,1\\}\$/\\1/p" "$out/metrics.json" | head -n 1 |
    LC_ALL=C xargs printf '%.2f'
}
psnr_model=$(method_psnr model)
psnr_trilinear=$(method_psnr trilinear)
psnr_cubic=$(method_psnr cubic)
record_total_time
{
  cat <<EOF
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>revgan-engine 3D super-resolution demo</title>
<style>
body{font-family:sans-serif;margin:1.5em;color:#222}
img{image-rendering:pixelated;max-width:100%}
pre{background:#f4f4f4;padding:8px;font-size:12px}
.big{font-size:1.3em}
</style>
</head>
<body>
<h1>RevGAN 3D super-resolution of Colin27 (factor $factor)</h1>
<p>Trained on the left half of the Colin27 brain, scored on the right half that training never saw:
its block average (factor $factor) is the input, the original half the truth.
Configuration configs/colin27_sr2x.conf ${model_args[*]}, device $device; training $train_note
($train_seconds).</p>
<p class="big">PSNR: model <b>$psnr_model</b> dB, cubic B-spline $psnr_cubic dB, trilinear $psnr_trilinear dB</p>
<pre>$(html_escape "$out/metrics.txt")</pre>
<p>Wall time: $(timings_text).</p>
<h2>Middle slices: nearest | trilinear | cubic B-spline | model | truth</h2>
EOF
  for png in "$out"/slices/*.png; do
    name=$(basename "$png")
    echo "<p>$name<br><img src=\"slices/$name\" alt=\"$name\"></p>"
  done
  cat <<EOF
<p>Files: <a href="metrics.json">metrics.json</a>,
<a href="checkpoints/sr/loss_log.csv">loss_log.csv</a>,
<a href="checkpoints/sr/train_opt.json">train_opt.json</a>,
<a href="train.log">train.log</a>,
<a href="checkpoints/sr/index.html">training report (loss curves)</a>.</p>
</body>
</html>
EOF
} >"$out/index.html.tmp"
mv "$out/index.html.tmp" "$out/index.html"

echo "revgan demo3d: PSNR model $psnr_model dB, cubic $psnr_cubic dB, trilinear $psnr_trilinear dB"
echo "revgan demo3d: ${timings[*]}"
echo "revgan demo3d: open $out/index.html"
