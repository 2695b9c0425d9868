# Resolves REVGAN_ONEDNN (AUTO/ON/OFF) into REVGAN_WITH_ONEDNN: float CPU convolutions through
# oneDNN (Debian: libdnnl-dev), the library PyTorch's CPU convolutions use, with the im2col
# kernels kept as the reference and the fallback. AUTO builds it when oneDNN is found; ON
# requires it; OFF (or none found) runs every CPU convolution through im2col + GEMM.
set(REVGAN_WITH_ONEDNN OFF)
if(NOT REVGAN_ONEDNN STREQUAL "OFF")
  find_path(REVGAN_ONEDNN_INCLUDE oneapi/dnnl/dnnl.hpp)
  find_library(REVGAN_ONEDNN_LIBRARY dnnl)
  if(REVGAN_ONEDNN_INCLUDE AND REVGAN_ONEDNN_LIBRARY)
    set(REVGAN_WITH_ONEDNN ON)
    add_library(revgan_onednn INTERFACE)
    target_include_directories(revgan_onednn INTERFACE ${REVGAN_ONEDNN_INCLUDE})
    target_link_libraries(revgan_onednn INTERFACE ${REVGAN_ONEDNN_LIBRARY})
  elseif(REVGAN_ONEDNN STREQUAL "ON")
    message(FATAL_ERROR "REVGAN_ONEDNN=ON but oneDNN was not found (Debian: apt-get install libdnnl-dev)")
  endif()
endif()
