#!/usr/bin/env bash
# Installs the Debian packages the build, tests and demo need, if any is missing (as root,
# through apt-get). Idempotent: does nothing when everything is present.
set -euo pipefail

# libdnnl-dev: oneDNN, which runs float CPU convolutions (cmake/onednn.cmake; the im2col kernels
# remain the reference). libjpeg62-turbo-dev decodes JPEG as PIL does; libopenmpi-dev / openmpi-bin: data-parallel
# training (mpirun -np N revgan_train); libnifti2-dev reads and writes NIfTI volumes;
# mricron-data holds the Colin27 brain (/usr/share/mricron/templates/ch2.nii.gz) that the volume
# tests read. python3 and binutils: the GPU kit's scripts and their tests (tools/gpu_bundle.sh).
packages=(cmake ninja-build g++ pkg-config libfmt-dev catch2 libstb-dev libjpeg62-turbo-dev libhdf5-dev hdf5-tools
          libopenblas-openmp-dev libdnnl-dev libnifti2-dev mricron-data libopenmpi-dev openmpi-bin python3 binutils)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "revgan: missing packages: ${missing[*]}; run as root or install them with apt-get" >&2
  exit 1
fi
echo "revgan: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
