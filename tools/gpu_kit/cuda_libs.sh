# shellcheck shell=bash
# Sourced by gpu_check.sh (and tests/gpukit/test_cuda_libs.sh): where the GPU kit finds the CUDA
# libraries its binaries need on the device (cuBLAS, cuBLASLt, cuDNN, NCCL), which it does not
# carry. Preference: folders given in REVGAN_KIT_CUDA_LIB_DIRS; the CUDA toolkits (/usr/local/cuda,
# then /usr/local/cuda-* newest first: lib64, targets/x86_64-linux/lib, lib); the nvidia/*/lib
# folders of python3's site-packages (PyTorch's wheels: cu13/lib, cudnn/lib, nccl/lib, ...);
# finally the dynamic linker's cache (ldconfig -p). Tests point REVGAN_KIT_CUDA_ROOTS,
# REVGAN_KIT_SITE_PACKAGES (colon lists) and REVGAN_KIT_NO_LDCONFIG=1 at fake trees.
# No `set -e` here: the functions return non-zero to say "not found".

# The site-packages folders of the kit's python (REVGAN_KIT_PYTHON, default python3), one a line.
kit_site_packages() {
  if [[ -n ${REVGAN_KIT_SITE_PACKAGES+x} ]]; then
    tr ':' '\n' <<< "$REVGAN_KIT_SITE_PACKAGES" | sed '/^$/d'
    return 0
  fi
  local py=${REVGAN_KIT_PYTHON:-python3}
  command -v "$py" > /dev/null 2>&1 || return 0
  # site's folders, plus the parents of the `nvidia` namespace package wherever it is installed.
  timeout 30 "$py" - 2> /dev/null << 'PY' || true
import os, site, sys
dirs = list(site.getsitepackages()) + [site.getusersitepackages()]
try:
    import nvidia
    dirs += [os.path.dirname(p) for p in nvidia.__path__]
except Exception:
    pass
seen = set()
for d in dirs:
    if d not in seen and os.path.isdir(d):
        seen.add(d)
        print(d)
PY
}

# Candidate library folders in preference order, existing ones, one a line, no repeats.
kit_cuda_lib_dirs() {
  {
    [[ -n ${REVGAN_KIT_CUDA_LIB_DIRS:-} ]] && tr ':' '\n' <<< "$REVGAN_KIT_CUDA_LIB_DIRS"
    local roots root sub sp lib
    if [[ -n ${REVGAN_KIT_CUDA_ROOTS+x} ]]; then
      roots=$(tr ':' '\n' <<< "$REVGAN_KIT_CUDA_ROOTS")
    else
      roots=$(printf '/usr/local/cuda\n'; compgen -G '/usr/local/cuda-*' | sort -rV)
    fi
    for root in $roots; do
      for sub in lib64 targets/x86_64-linux/lib lib; do
        echo "$root/$sub"
      done
    done
    while IFS= read -r sp; do
      for lib in "$sp"/nvidia/*/lib; do
        echo "$lib"
      done
    done < <(kit_site_packages)
  } | while IFS= read -r dir; do
    [[ -n $dir && -d $dir ]] && readlink -f "$dir"
  done | awk '!seen[$0]++'
}

# kit_find_lib SONAME [DIRS_FILE]: prints the path of SONAME in the first candidate folder that
# has it (DIRS_FILE: kit_cuda_lib_dirs's output, to avoid asking python again), else from
# ldconfig's cache; returns 1 when it is nowhere.
kit_find_lib() {
  local soname=$1 dirs dir
  if [[ -n ${2:-} ]]; then dirs=$(cat "$2"); else dirs=$(kit_cuda_lib_dirs); fi
  while IFS= read -r dir; do
    if [[ -n $dir && -e $dir/$soname ]]; then
      echo "$dir/$soname"
      return 0
    fi
  done <<< "$dirs"
  if [[ ${REVGAN_KIT_NO_LDCONFIG:-0} != 1 ]] && command -v ldconfig > /dev/null 2>&1; then
    local hit
    hit=$(ldconfig -p 2> /dev/null | awk -v n="$soname" '$1 == n && /x86-64/ {print $NF; exit}')
    if [[ -n $hit ]]; then
      echo "$hit"
      return 0
    fi
  fi
  return 1
}

# kit_library_path SONAME...: the LD_LIBRARY_PATH value for the kit's binaries: the folders of
# the libraries found, in the order of the sonames given, then every other wheel or toolkit
# folder (libraries such as cuDNN load further ones, e.g. libnvrtc, by name at run time).
# Prints "missing: SONAME" lines on stderr for libraries found nowhere; returns 1 if any.
kit_library_path() {
  local dirs_file rc=0 soname path found=""
  dirs_file=$(mktemp)
  kit_cuda_lib_dirs > "$dirs_file"
  for soname in "$@"; do
    if path=$(kit_find_lib "$soname" "$dirs_file"); then
      found+="$(dirname "$path")"$'\n'
    else
      echo "missing: $soname" >&2
      rc=1
    fi
  done
  { printf '%s' "$found"; cat "$dirs_file"; } | awk 'NF && !seen[$0]++' | paste -sd: -
  rm -f "$dirs_file"
  return $rc
}

# The version in a library's file name after symlinks (libcudnn.so.9 -> libcudnn.so.9.10.2:
# 9.10.2); empty when the name carries none beyond the soname's.
kit_lib_version() {
  local real
  real=$(basename "$(readlink -f "$1")")
  sed -n 's/^.*\.so\.\([0-9][0-9.]*\)$/\1/p' <<< "$real"
}

# cuDNN's version from the cudnn_version.h beside its library (the toolkit's and the wheel's
# layouts both have ../include), else from the file name; empty if neither tells.
kit_cudnn_version() {
  local lib=$1 header
  header=$(dirname "$(readlink -f "$lib")")/../include/cudnn_version.h
  if [[ -f $header ]]; then
    awk '/^#define CUDNN_(MAJOR|MINOR|PATCHLEVEL) /{v = v (v == "" ? "" : ".") $3} END {print v}' "$header"
  else
    kit_lib_version "$lib"
  fi
}
