#!/usr/bin/env bash
# The main job on the built-in data: installs what is missing, builds the tools (Release),
# generates the synthetic street scenes, trains a paired RevGAN (photo <-> label), translates
# the held-out scenes both ways, scores them and writes runs/demo/index.html. Idempotent: every
# run starts from an empty runs/demo. Uses the GPU when nvidia-smi works and the build has CUDA.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${REVGAN_DEMO_DIR:-runs/demo}
# Training stops (saving its state) at this many minutes whatever the configuration, so the
# demo keeps its time on slow or busy machines; the sizes below finish well before on 2 cores.
minutes=${REVGAN_DEMO_MINUTES:-14}

demo_name=demo
# shellcheck source=scripts/demo_common.sh
source scripts/demo_common.sh
build_demo_tools
phase_done "build"

choose_device

rm -rf "$out"
mkdir -p "$out"
"$bin/revgan_datagen" --out "$out/data" --kind aligned --size 64 --train 400 --test 50 --seed 1
phase_done "dataset"

# 64 x 64 scenes, no resizing (the test images are translated at the size they were drawn at),
# random flips. On 2 idle CPU cores this width and depth train at 10-20 steps/s: 4,800 steps
# in 4-8 minutes, leaving room for slower or busier machines under the cap (3,200 steps
# reached pixel accuracy 0.92 on photo -> label); a GPU affords the paper's K = 32, R = 6.
if [ "$device" = cuda ]; then
  model_args=(--ngf 32 --depth 6 --ndf 64 --n_epochs 10 --n_epochs_decay 10)
else
  model_args=(--ngf 24 --depth 4 --ndf 32 --n_epochs 6 --n_epochs_decay 6)
fi
echo "revgan demo: training on $device (stops after at most $minutes min)"
train_rc=0
timeout --preserve-status -s INT -k 120 "${minutes}m" \
  "$bin/revgan_train" --dataroot "$out/data" --name demo --checkpoints_dir "$out/checkpoints" \
  --model revgan_paired "${model_args[@]}" --preprocess none --seed 1 --device "$device" \
  --print_freq 200 --display_freq 400 --save_epoch_freq 100 | tee "$out/train.log" || train_rc=$?
train_note="finished"
if [ "$train_rc" -eq 130 ]; then
  train_note="stopped at the ${minutes}-minute cap (state saved)"
elif [ "$train_rc" -ne 0 ]; then
  echo "revgan demo: training failed (exit $train_rc)" >&2
  exit 1
fi
"$bin/revgan_report" --run "$out/checkpoints/demo"
phase_done "training"
checkpoint=$out/checkpoints/demo/latest.h5

"$bin/revgan_infer" --checkpoint "$checkpoint" --direction AtoB --input "$out/data/test" --input-part A \
  --output "$out/photo2label" --device "$device" --batch 10
"$bin/revgan_infer" --checkpoint "$checkpoint" --direction BtoA --input "$out/data/test" --input-part B \
  --output "$out/label2photo" --device "$device" --batch 10
phase_done "inference"

"$bin/revgan_eval" --kind labels --pred "$out/photo2label" --truth "$out/data/test" --truth-part B \
  --json "$out/metrics_photo2label.json" | tee "$out/metrics_photo2label.txt"
"$bin/revgan_eval" --kind images --pred "$out/label2photo" --truth "$out/data/test" --truth-part A \
  --json "$out/metrics_label2photo.json" | tee "$out/metrics_label2photo.txt"
phase_done "evaluation"

# A top-level number of one of our JSON files ("  \"key\": value,"), to 4 decimals; "inf"
# (identical images) and null stay as they are.
json_number() {
  local v
  v=$(sed -n "s/^  \"$2\": \\([^,]*\\),\\{0,1\\}\$/\\1/p" "$1" | head -n 1 | tr -d '"')
  case $v in
    *[0-9]*) LC_ALL=C printf '%.4f' "$v" ;;
    *) printf '%s' "$v" ;;
  esac
}
pixel_acc=$(json_number "$out/metrics_photo2label.json" pixel_accuracy)
mean_iou=$(json_number "$out/metrics_photo2label.json" mean_iou)
psnr=$(json_number "$out/metrics_label2photo.json" psnr)
ssim=$(json_number "$out/metrics_label2photo.json" ssim)
mae=$(json_number "$out/metrics_label2photo.json" mae)
record_total_time
{
  cat <<EOF
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>revgan-engine demo</title>
<style>
body{font-family:sans-serif;margin:1.5em;color:#222}
img{image-rendering:pixelated;height:128px}
td,th{padding:4px 8px;text-align:left;vertical-align:top}
pre{background:#f4f4f4;padding:8px;font-size:12px}
.big{font-size:1.3em}
</style>
</head>
<body>
<h1>Paired RevGAN on the built-in street scenes</h1>
<p>One generator set with a shared reversible core: photo &rarr; label runs the core forward,
label &rarr; photo runs the same core inverted. Model revgan_paired (${model_args[*]}), 64&times;64
scenes, 400 training pairs, 50 held-out pairs, device $device; training $train_note.</p>
<p class="big">photo &rarr; label: pixel accuracy <b>$pixel_acc</b>, mean IoU <b>$mean_iou</b>
&nbsp;|&nbsp; label &rarr; photo: PSNR <b>$psnr</b> dB, SSIM <b>$ssim</b>, MAE <b>$mae</b></p>
<p>Wall time: $(timings_text).</p>
<table>
<tr><th>held-out photo | true label</th><th>photo &rarr; label</th><th>label &rarr; photo</th><th>file</th></tr>
EOF
  find "$out/photo2label" -name '*.png' -printf '%f\n' | sort | head -n 16 | while read -r name; do
    echo "<tr><td><img src=\"data/test/$name\" alt=\"input\"></td><td><img src=\"photo2label/$name\" alt=\"label\"></td><td><img src=\"label2photo/$name\" alt=\"photo\"></td><td>$name</td></tr>"
  done
  cat <<EOF
</table>
<h2>photo &rarr; label (labels read as the nearest palette colour)</h2>
<pre>$(html_escape "$out/metrics_photo2label.txt")</pre>
<h2>label &rarr; photo</h2>
<pre>$(html_escape "$out/metrics_label2photo.txt")</pre>
<p>Files: <a href="metrics_photo2label.json">metrics_photo2label.json</a>,
<a href="metrics_label2photo.json">metrics_label2photo.json</a>,
<a href="checkpoints/demo/loss_log.csv">loss_log.csv</a>,
<a href="checkpoints/demo/train_opt.json">train_opt.json</a>,
<a href="train.log">train.log</a>,
<a href="checkpoints/demo/index.html">training report (loss curves)</a>.</p>
</body>
</html>
EOF
} >"$out/index.html.tmp"
mv "$out/index.html.tmp" "$out/index.html"

echo "revgan demo: photo->label pixel accuracy $pixel_acc, mean IoU $mean_iou;" \
  "label->photo PSNR $psnr dB, SSIM $ssim, MAE $mae"
echo "revgan demo: ${timings[*]}"
echo "revgan demo: open $out/index.html"
