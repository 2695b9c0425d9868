#!/usr/bin/env bash
# Builds the GPU verification kit: a folder that runs the whole GPU check on a bare machine with
# an NVIDIA GPU, its driver, the CUDA libraries (toolkit or PyTorch wheels) and python3 with
# PyTorch, and nothing else (no compilers needed, no network). Contents: payload.tar.gz with
# bin/ (test_cuda, bench, revgan_train, revgan_infer, revgan_datagen: Release, stripped, RUNPATH
# $ORIGIN/../lib) and lib/ (every shared library they load except the C runtime and the CUDA
# libraries: tools/gpu_kit/lib_policy.sh), which gpu_check.sh unpacks on the device; the PyTorch
# peer scripts; a small generated paired dataset; gpu_check.sh and its helpers; manifest.json
# and MANIFEST.txt (files, sizes, git commit, CUDA architectures, the glibc/libstdc++ versions
# and CUDA libraries it needs).
# The binaries come from CI's default configuration (Release, CUDA backend, MPI if found), by
# default the build folder build/ (configured with -DREVGAN_CUDA=ON if it does not exist), so
# the kit reuses CI's build instead of compiling CUDA a second time.
#
# usage: tools/gpu_bundle.sh [--build-dir DIR] [--no-build] OUTDIR
#   --build-dir DIR  the build folder to take binaries from (default: build)
#   --no-build       take the binaries as they are, without configuring or building (ctest does,
#                    in the build it tests); fail if one is missing
# environment: REVGAN_JOBS (build jobs, default 2), REVGAN_KIT_MAX_MIB (size limit, default 60),
#   REVGAN_KIT_TRAIN_IMAGES / REVGAN_KIT_TEST_IMAGES (dataset, default 200 / 100).
# exit status: 0 kit written; 1 error (build, missing binary, no sm_90 code, over the size
#   limit); 2 usage.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  exit 2
}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
do_build=1
out=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) build=${2:?--build-dir needs a folder}; shift 2 ;;
    --no-build) do_build=0; shift ;;
    -h | --help) usage ;;
    -*) echo "gpu_bundle: unknown option $1" >&2; usage ;;
    *) [[ -z $out ]] || usage; out=$1; shift ;;
  esac
done
[[ -n $out ]] || usage
build=$(cd "$build" 2> /dev/null && pwd || echo "$build")
jobs=${REVGAN_JOBS:-2}
max_mib=${REVGAN_KIT_MAX_MIB:-60}
log() { printf 'gpu_bundle: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=tools/gpu_kit/lib_policy.sh
source "$root/tools/gpu_kit/lib_policy.sh"

# --- the binaries -----------------------------------------------------------------------------
targets=(test_cuda bench revgan_train revgan_infer revgan_datagen)
paths=(tests/test_cuda bench/bench tools/revgan_train tools/revgan_infer tools/revgan_datagen)
if ((do_build)); then
  if [[ ! -f $build/CMakeCache.txt ]]; then
    log "configuring $build (Release, REVGAN_CUDA=ON)"
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DREVGAN_CUDA=ON > /dev/null
  fi
  log "building ${targets[*]} in $build"
  cmake --build "$build" -j "$jobs" --target "${targets[@]}" > /dev/null || die "the build failed"
fi
[[ -f $build/CMakeCache.txt ]] || die "$build is not a build folder"
grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$build/CMakeCache.txt" || die "$build is not a Release build"
grep -q '^REVGAN_CUDA:STRING=EMULATE$' "$build/CMakeCache.txt" && die "$build is the emulated CUDA build"
for p in "${paths[@]}"; do
  [[ -x $build/$p ]] || die "$build/$p is missing (a build without the CUDA backend? see cmake/cuda.cmake)"
done
code=$(python3 "$root/tools/gpu_kit/fatbin_archs.py" "$build/tests/test_cuda") || die "cannot read test_cuda's fat binary"
archs=$(sed -n 's/^cubin *//p' <<< "$code")
ptx=$(sed -n 's/^ptx *//p' <<< "$code")
[[ " $archs " == *" sm_90 "* ]] || die "test_cuda has no sm_90 code (cubins: '${archs}'); is $build a real CUDA build?"

# --- the kit folder ---------------------------------------------------------------------------
if [[ -e $out ]]; then
  [[ -f $out/manifest.json || -z $(ls -A "$out") ]] || die "$out exists and is not a GPU kit; not overwriting it"
  rm -rf "$out"
fi
mkdir -p "$out"/{peer,gpu_kit,data}
out=$(cd "$out" && pwd)
# bin/ and lib/ are staged here and travel as payload.tar.gz (about a third of their size; the
# kit's size limit would not hold uncompressed, OpenBLAS alone being 35 MiB).
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,lib}

for i in "${!targets[@]}"; do
  strip --strip-unneeded -o "$stage/bin/${targets[$i]}" "$build/${paths[$i]}"
done
# RUNPATH: the kit's lib/ instead of the build machine's folders (gpu_check.sh also sets
# LD_LIBRARY_PATH, which the libraries in lib/ need to find each other).
for f in "$stage"/bin/*; do
  cmake -DF="$f" -P "$root/tools/gpu_kit/set_rpath.cmake" > /dev/null
done

# Every library the binaries load, resolved on this machine, by kind.
cuda_needed=()
while read -r soname path; do
  case $(kit_lib_kind "$soname") in
    base) ;;
    cuda) cuda_needed+=("$soname") ;;
    carried)
      [[ $path != not-found ]] || die "$soname, needed by the binaries, is not found on this machine"
      cp -L "$path" "$stage/lib/$soname"
      chmod u+w "$stage/lib/$soname"
      strip --strip-unneeded "$stage/lib/$soname" 2> /dev/null || true
      ;;
  esac
done < <(env -u LD_LIBRARY_PATH bash -c "source '$root/tools/gpu_kit/lib_policy.sh'; kit_ldd $(printf "'%s' " "${paths[@]/#/$build/}")")
printf '%s\n' "${cuda_needed[@]}" | sort -u > "$out/gpu_kit/cuda_libs.txt"

# The newest glibc and libstdc++ symbol versions anything in the kit asks for.
newest() { objdump -T "$stage"/bin/* "$stage"/lib/* 2> /dev/null | grep -o "$1_[0-9.]*" | sort -uV | tail -n 1; }
glibc_needed=$(newest GLIBC)
glibcxx_needed=$(newest GLIBCXX)

tar -czf "$out/payload.tar.gz" -C "$stage" bin lib
(cd "$stage" && find bin lib -type f -printf '%s\t%p\n' | sort -k2) > "$out/gpu_kit/payload.txt"

# --- scripts, peer, data ----------------------------------------------------------------------
cp "$root/tools/gpu_check.sh" "$out/gpu_check.sh"
cp "$root/tools/gpu_kit/cuda_libs.sh" "$root/tools/gpu_kit/summarize.py" "$out/gpu_kit/"
cp "$root/bench/peer/torch_train_bench.py" "$root/bench/peer/torch_models.py" "$out/peer/"
OMP_NUM_THREADS=1 "$build/tools/revgan_datagen" --out "$out/data/demo" --kind aligned --size 64 \
  --train "${REVGAN_KIT_TRAIN_IMAGES:-200}" --test "${REVGAN_KIT_TEST_IMAGES:-100}" --seed 1 > /dev/null

# --- manifest and size ------------------------------------------------------------------------
# What the binaries were built with (an older cuDNN 9 on the device is not guaranteed to work).
toolkit=$(sed -n 's/^set(CMAKE_CUDA_COMPILER_VERSION "\(.*\)")$/\1/p' "$build"/CMakeFiles/*/CMakeCUDACompiler.cmake | head -n 1)
cudnn_dir=$(sed -n 's/^CUDNN_INCLUDE_DIR:PATH=//p' "$build/CMakeCache.txt")
cudnn=$(awk '/^#define CUDNN_(MAJOR|MINOR|PATCHLEVEL) /{v = v (v == "" ? "" : ".") $3} END {print v}' \
  "$cudnn_dir/cudnn_version.h" 2> /dev/null)
commit=$(git -C "$root" rev-parse HEAD 2> /dev/null || echo unknown)
[[ -z $(git -C "$root" status --porcelain 2> /dev/null) ]] || commit="$commit (with uncommitted changes)"
total=$(du -sb "$out" | cut -f1)
python3 - "$out" "$commit" "$build" "$archs" "$ptx" "$glibc_needed" "$glibcxx_needed" "$total" "$toolkit" "$cudnn" << 'PY'
import json, os, sys, time
out, commit, build, archs, ptx, glibc, glibcxx, total, toolkit, cudnn = sys.argv[1:]
files = []
for d, _, names in os.walk(out):
    for n in sorted(names):
        p = os.path.join(d, n)
        rel = os.path.relpath(p, out)
        if rel != "manifest.json" and not rel.startswith("data/"):
            files.append({"path": rel, "bytes": os.path.getsize(p)})
payload = []
for line in open(os.path.join(out, "gpu_kit/payload.txt")):
    size, path = line.rstrip("\n").split("\t")
    payload.append({"path": path, "bytes": int(size)})
data = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(os.path.join(out, "data")) for n in ns)
m = {"kit": "revgan GPU verification kit", "git_commit": commit, "created": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
     "build_dir": build, "built_with": {"cuda_toolkit": toolkit, "cudnn": cudnn},
     # The commit is the source tree's; with --no-build the binaries are as old as this says.
     "test_cuda_built": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(os.path.getmtime(os.path.join(build, "tests/test_cuda")))),
     "cuda_cubins": archs.split(), "cuda_ptx": ptx.split(),
     "needs": {"glibc": glibc, "glibcxx": glibcxx,
               "cuda_libs": open(os.path.join(out, "gpu_kit/cuda_libs.txt")).read().split()},
     "total_bytes": int(total), "data_bytes": data, "files": sorted(files, key=lambda f: f["path"]),
     "payload_bytes_unpacked": sum(f["bytes"] for f in payload), "payload": payload}
json.dump(m, open(os.path.join(out, "manifest.json"), "w"), indent=1)
with open(os.path.join(out, "MANIFEST.txt"), "w") as f:
    f.write(f"revgan GPU kit, commit {commit}, {m['created']} (test_cuda linked {m['test_cuda_built']})\n")
    f.write(f"built with CUDA {toolkit}, cuDNN {cudnn}; cubins {archs}; PTX {ptx}; needs {glibc}, {glibcxx}, CUDA libraries {' '.join(m['needs']['cuda_libs'])}\n")
    f.write(f"total {int(total) / 2**20:.1f} MiB (data {data / 2**20:.1f} MiB); payload.tar.gz unpacks to "
            f"{m['payload_bytes_unpacked'] / 2**20:.1f} MiB\n")
    for x in m["files"]:
        f.write(f"{x['bytes']:>10}  {x['path']}\n")
    for x in payload:
        f.write(f"{x['bytes']:>10}  payload.tar.gz: {x['path']}\n")
PY
log "kit in $out: $((total / 1048576)) MiB (limit ${max_mib} MiB); cubins ${archs}; needs ${glibc_needed} ${glibcxx_needed}"
((total < max_mib * 1048576)) || die "the kit is $((total / 1048576)) MiB, over the ${max_mib} MiB limit"
