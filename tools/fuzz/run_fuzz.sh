#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan + UBSan; separate from the CMake build) and runs
# them, one at a time, at low priority.
#   tools/fuzz/run_fuzz.sh build [NAME]        compile fuzz_NAME_reader (image, jpeg, nifti, pth; all by default)
#   tools/fuzz/run_fuzz.sh seeds               regenerate tools/fuzz/seeds/{image,nifti,jpeg} (committed; the pth seeds
#                                              come from tests/interop/generate_pth_fixtures.py)
#   tools/fuzz/run_fuzz.sh run NAME SECONDS    fuzz NAME (image, jpeg, nifti or pth) for SECONDS
#   tools/fuzz/run_fuzz.sh [SECONDS]           build, then run each fuzzer for SECONDS (default 60)
# Work files (objects, growing corpora, crash artifacts) live in $REVGAN_FUZZ_DIR (/tmp/revgan-fuzz).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${REVGAN_FUZZ_DIR:-/tmp/revgan-fuzz}
cxx=${CXX_FUZZ:-$(command -v clang++-14 || command -v clang++ || true)}
sanitize="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
cxxflags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -I"$root" -I/usr/include/stb -I/usr/include/nifti
          -Wno-unused-parameter)

common_sources=("$root/engine/core/check.cpp")
image_sources=("$root/data/image.cpp" "$root/data/image_guard.cpp" "$root/data/jpeg_codec.cpp"
               "$root/data/stb_impl.cpp")
nifti_sources=("$root/data/volume/nifti_io.cpp" "$root/data/volume/volume.cpp")
# The .pth reader without module_state.cpp (which needs the tensor library).
pth_sources=("$root"/engine/io/pth/{crc32,pickle_value,pickle_vocabulary,pth_reader,pth_writer,state_dict,storage_table,unpickler,zip_reader,zip_writer}.cpp
             "$root/engine/io/atomic_file.cpp")
# Debian ships only uninstrumented builds of these; linking them statically keeps the fuzzer
# self-contained (crashes inside still surface, coverage feedback stops at their boundary).
nifti_libs=(/usr/lib/x86_64-linux-gnu/libnifti2.a /usr/lib/x86_64-linux-gnu/libznz.a -lz -lm)
jpeg_libs=(/usr/lib/x86_64-linux-gnu/libjpeg.a)

require_clang() {
  if [ -z "$cxx" ]; then
    echo "run_fuzz: clang++ not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
    exit 1
  fi
}

# compile OUT SOURCES... [-- LINK_ARGS...]
compile() {
  local out=$1; shift
  local sources=() link=() objects=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do sources+=("$1"); shift; done
  [ $# -gt 0 ] && shift && link=("$@")
  echo "run_fuzz: building $out"
  mkdir -p "$work/obj"
  for src in "${sources[@]}"; do
    local obj extra=()
    obj="$work/obj/$(echo "${src#"$root"/}" | tr / _).o"
    # Two findings in stb 2.27 that no check on the input bytes can rule out, and that do not
    # touch memory out of bounds: memcpy(NULL, p, 0) for an empty first PNG IDAT chunk, and a
    # 32-bit shift by 32 when a corrupt JPEG scan runs out of bits (stbi__grow_buffer_unsafe).
    # ASan stays on for stb; only these two UBSan checks are off, and only in its unit.
    case "$src" in */stb_impl.cpp) extra=(-fno-sanitize=nonnull-attribute,shift-exponent) ;; esac
    nice -n 19 "$cxx" "${cxxflags[@]}" $sanitize "${extra[@]}" -c "$src" -o "$obj"
    objects+=("$obj")
  done
  nice -n 19 "$cxx" $sanitize "${objects[@]}" -o "$work/$out" "${link[@]}" -lfmt
}

# build [image|jpeg|nifti|pth]: all when no name is given.
build() {
  require_clang
  mkdir -p "$work"
  if [ "${1:-image}" = image ]; then
    compile fuzz_image_reader "$root/tools/fuzz/fuzz_image_reader.cpp" "${image_sources[@]}" "${common_sources[@]}" \
      -- "${jpeg_libs[@]}"
  fi
  if [ "${1:-jpeg}" = jpeg ]; then
    compile fuzz_jpeg_reader "$root/tools/fuzz/fuzz_jpeg_reader.cpp" "${image_sources[@]}" "${common_sources[@]}" \
      -- "${jpeg_libs[@]}"
  fi
  if [ "${1:-nifti}" = nifti ]; then
    compile fuzz_nifti_reader "$root/tools/fuzz/fuzz_nifti_reader.cpp" "${nifti_sources[@]}" "${common_sources[@]}" \
      -- "${nifti_libs[@]}"
  fi
  if [ "${1:-pth}" = pth ]; then
    compile fuzz_pth_reader "$root/tools/fuzz/fuzz_pth_reader.cpp" "${pth_sources[@]}" "${common_sources[@]}"
  fi
}

seeds() {
  require_clang
  mkdir -p "$work"
  echo "run_fuzz: building make_seeds"
  "$cxx" "${cxxflags[@]}" -O1 "$root/tools/fuzz/make_seeds.cpp" "${image_sources[@]}" "${common_sources[@]}" \
    -o "$work/make_seeds" "${nifti_libs[@]}" "${jpeg_libs[@]}" -lfmt
  rm -rf "$root/tools/fuzz/seeds/image" "$root/tools/fuzz/seeds/nifti" "$root/tools/fuzz/seeds/jpeg"
  "$work/make_seeds" "$root/tools/fuzz/seeds/image" "$root/tools/fuzz/seeds/nifti" "$root/tools/fuzz/seeds/jpeg"
}

run() {
  local name=$1 seconds=$2; shift 2
  local exe="$work/fuzz_${name}_reader"
  [ -x "$exe" ] || build "$name"
  local corpus="$work/corpus-$name" artifacts="$work/artifacts-$name/"
  mkdir -p "$corpus" "$artifacts"
  cp -n "$root/tools/fuzz/seeds/$name/"* "$corpus/" 2>/dev/null || true
  # The JPEG fuzzer also starts from the JPEGs among the image seeds (another encoder's output).
  [ "$name" = jpeg ] && cp -n "$root/tools/fuzz/seeds/image/"*.jpg "$corpus/" 2>/dev/null || true
  local dict=()
  [ -f "$root/tools/fuzz/$name.dict" ] && dict=(-dict="$root/tools/fuzz/$name.dict")
  echo "run_fuzz: fuzzing $name for ${seconds}s (corpus $corpus, crashes in $artifacts)"
  # New inputs go to the work corpus only; the committed seeds stay as they are.
  nice -n 19 "$exe" "$corpus" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$artifacts" "${dict[@]}" "$@"
}

case "${1:-}" in
  build) build "${2:-}" ;;
  seeds) seeds ;;
  run) shift; run "$@" ;;
  *)
    seconds=${1:-60}
    build
    run image "$seconds"
    run jpeg "$seconds"
    run nifti "$seconds"
    run pth "$seconds"
    ;;
esac
