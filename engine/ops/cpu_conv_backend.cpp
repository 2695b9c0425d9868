// The CPU convolution backend choice (process-wide, read from REVGAN_CPU_CONV on first use) and
// the workspace a conv call sequence needs under it.
#include "engine/ops/cpu_conv_backend.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "engine/core/check.hpp"
#include "kernels/cpu/conv.hpp"
#include "kernels/cpu/conv_narrow.hpp"
#include "kernels/cpu/conv_transpose.hpp"
#include "kernels/cpu/onednn_conv.hpp"
#include "kernels/cpu/onednn_conv_transpose.hpp"

namespace revgan::ops {

namespace {

CpuConvBackend initial_backend() {
#ifdef REVGAN_WITH_ONEDNN
  // The oneDNN kernels read REVGAN_WINOGRAD themselves; a value they cannot read is refused here,
  // on the first conv, instead of being taken as the default.
  const char* winograd = std::getenv("REVGAN_WINOGRAD");
  REVGAN_CHECK(winograd == nullptr || kernels::cpu::onednn::parse_winograd_use(winograd).has_value(),
               "REVGAN_WINOGRAD='{}': expected 1 (Winograd gradients where they pay, the default), 0 (never) or "
               "always",
               winograd);
#endif
  const char* value = std::getenv("REVGAN_CPU_CONV");
  if (value == nullptr || *value == '\0') return onednn_built() ? CpuConvBackend::onednn : CpuConvBackend::im2col;
  const CpuConvBackend chosen = parse_cpu_conv_backend(value);
  REVGAN_CHECK(chosen != CpuConvBackend::onednn || onednn_built(),
               "REVGAN_CPU_CONV=onednn, but this build has no oneDNN (configure with libdnnl-dev installed)");
  return chosen;
}

thread_local bool t_im2col_forced = false;

std::atomic<CpuConvBackend>& backend_slot() {
  static std::atomic<CpuConvBackend> slot{initial_backend()};
  return slot;
}

}  // namespace

bool onednn_built() {
#ifdef REVGAN_WITH_ONEDNN
  return true;
#else
  return false;
#endif
}

CpuConvBackend cpu_conv_backend() { return backend_slot().load(std::memory_order_relaxed); }

void set_cpu_conv_backend(CpuConvBackend backend) {
  REVGAN_CHECK(backend != CpuConvBackend::onednn || onednn_built(),
               "CPU conv backend onednn: this build has no oneDNN (configure with libdnnl-dev installed)");
  backend_slot().store(backend, std::memory_order_relaxed);
}

Im2colForwardScope::Im2colForwardScope() : saved_(t_im2col_forced) { t_im2col_forced = true; }
Im2colForwardScope::~Im2colForwardScope() { t_im2col_forced = saved_; }
bool im2col_forward_forced() { return t_im2col_forced; }

CpuConvBackend parse_cpu_conv_backend(std::string_view name) {
  if (name == "im2col") return CpuConvBackend::im2col;
  if (name == "onednn") return CpuConvBackend::onednn;
  REVGAN_FAIL("CPU conv backend '{}': expected im2col or onednn (REVGAN_CPU_CONV)", name);
}

const char* cpu_conv_backend_name(CpuConvBackend backend) {
  return backend == CpuConvBackend::onednn ? "onednn" : "im2col";
}

namespace {

using kernels::cpu::onednn::ConvPass;

// Whether oneDNN is the chosen backend for this dtype and pass: everything but the geometry.
bool onednn_chosen(DType dtype, ConvPass pass) {
  const bool forward_forced = t_im2col_forced && pass == ConvPass::forward;
  return dtype == DType::float32 && !forward_forced && cpu_conv_backend() == CpuConvBackend::onednn;
}

// Workspace of a call sequence, from what each pass needs.
template <class PassNeeds>
int64_t workspace_of(ConvPasses passes, PassNeeds&& pass_needs) {
  switch (passes) {
    case ConvPasses::forward: return pass_needs(ConvPass::forward);
    case ConvPasses::backward_input: return pass_needs(ConvPass::backward_input);
    case ConvPasses::backward_weight: return pass_needs(ConvPass::backward_weight);
    case ConvPasses::backward_both:
      return std::max(pass_needs(ConvPass::backward_input), pass_needs(ConvPass::backward_weight));
  }
  return 0;
}

}  // namespace

// Without oneDNN (its sources are not compiled), nothing runs in it.
bool cpu_conv_uses_onednn(const kernels::ConvGeometry& g, DType dtype, ConvPass pass) {
#ifdef REVGAN_WITH_ONEDNN
  return onednn_chosen(dtype, pass) && kernels::cpu::onednn::suits(g, pass);
#else
  return false;
#endif
}

bool cpu_conv_transpose_uses_onednn(const kernels::ConvGeometry& t, DType dtype, ConvPass pass) {
#ifdef REVGAN_WITH_ONEDNN
  return onednn_chosen(dtype, pass) && kernels::cpu::onednn::suits_transposed(t, pass);
#else
  return false;
#endif
}

bool cpu_conv_uses_narrow(const kernels::ConvGeometry& g, DType dtype, ConvPass pass) {
  return pass != ConvPass::backward_input && onednn_chosen(dtype, pass) && kernels::cpu::narrow_conv_suits(g);
}

int64_t cpu_conv_workspace_elements(const kernels::ConvGeometry& g, DType dtype, ConvPasses passes, bool bias) {
  const int64_t columns = kernels::cpu::conv_workspace_elements(g);
  return workspace_of(passes, [&](ConvPass pass) -> int64_t {
    if (cpu_conv_uses_narrow(g, dtype, pass)) return 0;
#ifdef REVGAN_WITH_ONEDNN
    if (cpu_conv_uses_onednn(g, dtype, pass))
      return kernels::cpu::onednn::workspace_floats(g, pass, pass == ConvPass::forward && bias);
#endif
    return columns;
  });
}

int64_t cpu_conv_transpose_workspace_elements(const kernels::ConvGeometry& t, DType dtype, ConvPasses passes) {
  const int64_t columns = kernels::cpu::conv_transpose_workspace_elements(t);
  return workspace_of(passes, [&](ConvPass pass) -> int64_t {
#ifdef REVGAN_WITH_ONEDNN
    if (cpu_conv_transpose_uses_onednn(t, dtype, pass)) return kernels::cpu::onednn::transposed_workspace_floats(t, pass);
#endif
    return columns;
  });
}

}  // namespace revgan::ops
