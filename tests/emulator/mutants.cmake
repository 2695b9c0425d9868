# Deliberately broken variants of the real CUDA kernels, made at configure time from the sources
# in kernels/cuda: each mutant is a copy of one kernel file and the headers it includes, with one
# edit, in its own namespace (revgan::kernels::cuda_mutant_<name>), compiled into test_emulator.
# test_emu_mutants.cpp runs each against its CPU twin and expects the fault to be caught. An
# edit whose original text is no longer in the kernel fails the configuration, so the mutants
# follow the kernels they break.

# revgan_kernel_mutant(<target> <name> <kernel .cu> <edited file> <original text> <mutated text>)
function(revgan_kernel_mutant target name source edited original mutated)
  set(src_dir ${PROJECT_SOURCE_DIR}/kernels/cuda)
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/mutants/${name}/kernels/cuda)
  file(GLOB headers ${src_dir}/*.cuh)
  foreach(file ${headers} ${src_dir}/${source})
    get_filename_component(base ${file} NAME)
    file(READ ${file} text)
    if(base STREQUAL edited)
      string(FIND "${text}" "${original}" first)
      string(FIND "${text}" "${original}" last REVERSE)
      if(first EQUAL -1 OR NOT first EQUAL last)
        message(FATAL_ERROR "kernel mutant '${name}': the text to mutate must occur exactly once in "
                            "kernels/cuda/${edited}; update tests/emulator/mutants.cmake")
      endif()
      string(REPLACE "${original}" "${mutated}" text "${text}")
    endif()
    string(REPLACE "namespace revgan::kernels::cuda" "namespace revgan::kernels::cuda_mutant_${name}" text "${text}")
    string(REPLACE "#include \"kernels/cuda/" "#include \"mutants/${name}/kernels/cuda/" text "${text}")
    file(CONFIGURE OUTPUT ${out_dir}/${base} CONTENT "${text}" @ONLY)
  endforeach()
  set_source_files_properties(${out_dir}/${source} PROPERTIES LANGUAGE CXX)
  target_sources(${target} PRIVATE ${out_dir}/${source})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${headers} ${src_dir}/${source})
endfunction()

# A barrier removed from block_sum: warp 0 reads the per-warp sums before the other warps wrote
# them.
revgan_kernel_mutant(test_emulator removed_barrier instance_norm.cu loops.cuh
  "  if (lane == 0) warp_sums[warp] = v;\n  __syncthreads();\n"
  "  if (lane == 0) warp_sums[warp] = v;\n")
# Idle threads leave the channel sum early, so they never reach block_sum's barriers.
revgan_kernel_mutant(test_emulator early_return im2col.cu im2col.cu
  "    double s = 0.0;\n    for (int64_t e = threadIdx.x; e < per_channel; e += blockDim.x) {"
  "    double s = 0.0;\n    if (threadIdx.x >= per_channel) return;\n    for (int64_t e = threadIdx.x; e < per_channel; e += blockDim.x) {")
# Small instances get 48 threads: the block's second warp is partial, yet block_sum shuffles
# with a full mask.
revgan_kernel_mutant(test_emulator partial_warp instance_norm.cu instance_norm.cu
  "  return 32;\n}"
  "  return 48;\n}")
# The element-wise loop bound off by one, both ways: one element past the end is written, or the
# last element is never written.
revgan_kernel_mutant(test_emulator bound_past_end elementwise.cu loops.cuh
  "for (int64_t i = first_index(); i < n; i += grid_stride()) store(y, i, f(i), accumulate);"
  "for (int64_t i = first_index(); i <= n; i += grid_stride()) store(y, i, f(i), accumulate);")
revgan_kernel_mutant(test_emulator bound_short elementwise.cu loops.cuh
  "for (int64_t i = first_index(); i < n; i += grid_stride()) store(y, i, f(i), accumulate);"
  "for (int64_t i = first_index(); i < n - 1; i += grid_stride()) store(y, i, f(i), accumulate);")
# The reduction's second stage sums every partial slot, including those no block wrote.
revgan_kernel_mutant(test_emulator unwritten_read reduce.cu reduce_impl.cuh
  "i < count; i += static_cast<int>(blockDim.x)) s += partials[i];"
  "i < k_reduce_blocks; i += static_cast<int>(blockDim.x)) s += partials[i];")

target_include_directories(test_emulator PRIVATE ${CMAKE_CURRENT_BINARY_DIR})
