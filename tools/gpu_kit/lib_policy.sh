# shellcheck shell=bash
# Sourced by tools/gpu_bundle.sh and tests/gpukit/test_bundle.sh: which shared libraries the GPU
# kit carries. Not carried: the C runtime every Linux machine has (glibc's libraries, the
# dynamic loader, libstdc++, libgcc_s; the kit needs a device whose glibc and libstdc++ are at
# least as new as the build machine's, which gpu_check.sh verifies), and the CUDA libraries,
# which must match the device's driver and are found there (tools/gpu_kit/cuda_libs.sh).
# Everything else a kit binary loads (HDF5, OpenBLAS and its Fortran runtime, OpenMP, fmt, MPI,
# compression and image libraries, ...) travels in the kit's lib/.

KIT_BASE_LIB_RE='^(linux-vdso|ld-linux-x86-64|libc|libm|libmvec|libdl|librt|libpthread|libutil|libresolv|libanl|libnsl|libstdc\+\+|libgcc_s)\.so'
KIT_CUDA_LIB_RE='^lib(cuda|cudart|cublas|cublasLt|cudnn[a-z_]*|nccl|nvrtc[a-z0-9_-]*|nvJitLink|nvidia-ml|cufft|curand|cusparse|cusolver|cupti|nvToolsExt)\.so'

# kit_lib_kind SONAME: prints base, cuda or carried.
kit_lib_kind() {
  if [[ $1 =~ $KIT_BASE_LIB_RE ]]; then
    echo base
  elif [[ $1 =~ $KIT_CUDA_LIB_RE ]]; then
    echo cuda
  else
    echo carried
  fi
}

# kit_ldd FILE...: "SONAME PATH" per library the files load (PATH "not-found" when unresolved),
# from ldd in the current environment, without repeats.
kit_ldd() {
  ldd "$@" 2> /dev/null | awk '
    $2 == "=>" && $3 == "not" { print $1, "not-found"; next }
    $2 == "=>" && $3 ~ /^\// { print $1, $3; next }
    $1 ~ /^\// && $1 ~ /ld-linux/ { n = split($1, p, "/"); print p[n], $1 }' | awk '!seen[$1]++'
}
