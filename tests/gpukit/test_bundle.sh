#!/usr/bin/env bash
# ctest `gpukit:the bundle is built ...` (the setup of the gpukit_kit fixture): runs
# tools/gpu_bundle.sh --no-build on the build folder ctest runs in, then checks the kit: under
# 60 MiB (measured here, not taken from the script); unpacked from payload.tar.gz as gpu_check.sh
# does, the five binaries stripped, with RUNPATH $ORIGIN/../lib and sm_80/sm_90 cubins; with only
# the kit's lib/ on the library path, ldd resolves every library that is neither the C runtime
# nor CUDA from the kit's lib/, and lib/ holds nothing else; the CUDA libraries needed are listed for the device's search; a kit binary
# runs here from the kit; scripts, peer, data and manifest are in place.
# usage: tests/gpukit/test_bundle.sh BUILD_DIR KIT_DIR (an empty BUILD_DIR: skip, exit 77)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-}
kit=${2:?usage: test_bundle.sh BUILD_DIR KIT_DIR}
if [[ -z $build ]]; then
  echo "SKIPPED: this build has no real CUDA backend (REVGAN_CUDA=OFF, EMULATE, or no nvcc/cuDNN); the kit needs one"
  exit 77
fi
# shellcheck source=tools/gpu_kit/lib_policy.sh
source "$root/tools/gpu_kit/lib_policy.sh"
failures=0
check() {  # WHAT CONDITION-STATUS
  if [[ $2 == 0 ]]; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}

rm -rf "$kit"
"$root/tools/gpu_bundle.sh" --build-dir "$build" --no-build "$kit"

bytes=$(du -sb "$kit" | cut -f1)
echo "kit size: $bytes bytes ($((bytes / 1048576)) MiB)"
check "the kit is under 60 MiB" "$((bytes < 60 * 1048576 ? 0 : 1))"

# The binaries and libraries as gpu_check.sh sees them: unpacked from the payload.
u=$(mktemp -d)
trap 'rm -rf "$u"' EXIT
tar -xzf "$kit/payload.tar.gz" -C "$u"
binaries=(test_cuda bench revgan_train revgan_infer revgan_datagen)
for b in "${binaries[@]}"; do
  f=$u/bin/$b
  check "bin/$b is an executable" "$([[ -x $f ]] && echo 0 || echo 1)"
  sections=$(readelf -S "$f")
  check "bin/$b is stripped" "$([[ $sections == *.symtab* ]] && echo 1 || echo 0)"
  runpath=$(readelf -d "$f" | sed -n 's/.*Library runpath: \[\(.*\)\]$/\1/p')
  # shellcheck disable=SC2016
  check "bin/$b has RUNPATH \$ORIGIN/../lib only ($runpath)" "$([[ $runpath == '$ORIGIN/../lib' ]] && echo 0 || echo 1)"
done
cubins=$(python3 "$root/tools/gpu_kit/fatbin_archs.py" "$u/bin/test_cuda" | sed -n 's/^cubin //p')
check "test_cuda keeps sm_80 and sm_90 cubins after stripping ($cubins)" \
  "$([[ " $cubins " == *" sm_80 "* && " $cubins " == *" sm_90 "* ]] && echo 0 || echo 1)"

# ldd with the kit's lib/ as the only extra folder: carried libraries resolve there, none is
# missing, and lib/ has no C-runtime or CUDA library.
resolved=$(env -i PATH="$PATH" LD_LIBRARY_PATH="$u/lib" bash -c \
  "source '$root/tools/gpu_kit/lib_policy.sh'; kit_ldd '$u'/bin/*")
carried=0
while read -r soname path; do
  case $(kit_lib_kind "$soname") in
    carried)
      carried=$((carried + 1))
      check "$soname resolves from the kit ($path)" "$([[ $path == "$u/lib/$soname" ]] && echo 0 || echo 1)"
      ;;
    cuda) check "$soname (CUDA) does not resolve from the kit" "$([[ $path != "$u/lib/"* ]] && echo 0 || echo 1)" ;;
    base) check "$soname (C runtime) resolves" "$([[ $path != not-found ]] && echo 0 || echo 1)" ;;
  esac
done <<< "$resolved"
check "the binaries need carried libraries at all ($carried)" "$((carried > 0 ? 0 : 1))"
versions=$(env -i PATH="$PATH" LD_LIBRARY_PATH="$u/lib" ldd "$u"/bin/* 2>&1 | grep -c 'version .* not found' || true)
check "no symbol version is missing" "$((versions == 0 ? 0 : 1))"
for f in "$u"/lib/*; do
  name=$(basename "$f")
  check "lib/$name is a carried shared library" \
    "$([[ $(kit_lib_kind "$name") == carried && $(readelf -h "$f" 2>&1) == *"DYN (Shared object file)"* ]] && echo 0 || echo 1)"
done

# The CUDA libraries the device must provide are listed; a kit binary runs here from the kit
# (this machine's CUDA libraries stand in for the device's).
needed=$(paste -sd' ' - < "$kit/gpu_kit/cuda_libs.txt")
check "cuda_libs.txt names cuBLAS and cuDNN ($needed)" \
  "$([[ " $needed " == *" libcublas.so.13 "* && " $needed " == *" libcudnn.so.9 "* ]] && echo 0 || echo 1)"
help_rc=0
env -i PATH="$PATH" LD_LIBRARY_PATH="$u/lib:/usr/local/cuda/lib64" "$u/bin/revgan_datagen" --help > /dev/null 2>&1 ||
  help_rc=$?
check "bin/revgan_datagen --help runs from the kit" "$help_rc"

for f in payload.tar.gz gpu_check.sh gpu_kit/cuda_libs.sh gpu_kit/summarize.py peer/torch_train_bench.py peer/torch_models.py \
  manifest.json MANIFEST.txt; do
  check "$f is in the kit" "$([[ -s $kit/$f ]] && echo 0 || echo 1)"
done
for split in train test; do
  n=$(find "$kit/data/demo/$split" -type f | wc -l)
  check "data/demo/$split has images ($n)" "$((n > 0 ? 0 : 1))"
done
manifest_ok=$(python3 - "$kit/manifest.json" "$bytes" << 'PY'
import json, sys
m = json.load(open(sys.argv[1]))
ok = (len(m["git_commit"]) >= 40 and "sm_90" in m["cuda_cubins"] and m["cuda_ptx"]
      and m["needs"]["glibc"].startswith("GLIBC_") and abs(m["total_bytes"] - int(sys.argv[2])) < 65536
      and any(f["path"] == "bin/test_cuda" and f["bytes"] > 0 for f in m["payload"]))
print(0 if ok else 1)
PY
)
check "manifest.json: commit, cubins, PTX, glibc needed, sizes" "$manifest_ok"

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all bundle checks passed"
