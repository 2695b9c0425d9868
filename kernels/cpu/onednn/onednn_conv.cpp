// oneDNN convolution passes on the engine's NCHW / NCDHW float buffers. Each (geometry, pass,
// forward bias, OpenMP team size, Winograd or direct) gets one Plan, built on first use and
// cached: the primitive, the layouts it computes in, the reorders between those and the
// engine's, and where each reordered buffer and oneDNN's scratchpad sit in the caller's
// workspace (scratchpad mode "user": oneDNN allocates nothing per call). Plans are immutable
// after construction, so threads may run one concurrently.
#include "kernels/cpu/onednn_conv.hpp"

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kernels/common/input_grad_conv.hpp"

namespace revgan::kernels::cpu::onednn {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
constexpr int64_t k_align_floats = 16;  // 64-byte boundaries between workspace parts
constexpr std::size_t k_max_plans = 512;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

int64_t aligned(int64_t floats) { return (floats + k_align_floats - 1) / k_align_floats * k_align_floats; }

// oneDNN's view of a geometry: 2D (4-D tensors) when depth plays no part, else 3D.
struct Shapes {
  memory::dims src, weights, bias, dst, strides, padding;
  tag activation, filter;
};

Shapes shapes_of(const ConvGeometry& g) {
  const bool volumetric = g.input[0] > 1 || g.output[0] > 1 || g.kernel[0] > 1;
  Shapes s;
  s.src = {g.batch, g.in_channels};
  s.dst = {g.batch, g.out_channels};
  s.weights = {g.out_channels, g.in_channels};
  s.bias = {g.out_channels};
  for (std::size_t a = volumetric ? 0 : 1; a < 3; ++a) {
    s.src.push_back(g.input[a]);
    s.dst.push_back(g.output[a]);
    s.weights.push_back(g.kernel[a]);
    s.strides.push_back(g.stride[a]);
    s.padding.push_back(g.padding[a]);
  }
  s.activation = volumetric ? tag::ncdhw : tag::nchw;
  s.filter = volumetric ? tag::oidhw : tag::oihw;
  return s;
}

memory::desc plain(const memory::dims& d, tag t) { return {d, memory::data_type::f32, t}; }
memory::desc any(const memory::dims& d) { return {d, memory::data_type::f32, tag::any}; }

dnnl::primitive_attr user_scratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

// One argument of a pass: the engine's buffer layout, the layout the primitive wants, and when
// they differ, the reorder and the workspace offset of the reordered copy.
struct Operand {
  int arg = 0;
  bool output = false;
  memory::desc user, wanted;
  std::optional<dnnl::reorder> reorder;  // user -> wanted for inputs, wanted -> user for outputs
  int64_t offset = 0;
};

struct Plan {
  dnnl::primitive primitive;
  std::string implementation;     // oneDNN's name of the kernel, e.g. "jit_wino_4x3:avx512_core"
  std::vector<Operand> operands;  // in the order the run functions pass their pointers
  memory::desc scratchpad;        // shared by the primitive and the reorders (they run in turn)
  int64_t scratchpad_offset = 0;
  int64_t floats = 0;
};

class PlanBuilder {
 public:
  // Operands in the order the caller's pointers come; `wanted` = user when no reorder is needed.
  void add(int arg, bool output, const memory::desc& user, const memory::desc& wanted) {
    Operand op{arg, output, user, wanted, std::nullopt, 0};
    if (user != wanted) {
      const dnnl::primitive_attr attr = user_scratchpad();
      const auto pd = output ? dnnl::reorder::primitive_desc(cpu_engine(), wanted, cpu_engine(), user, attr)
                             : dnnl::reorder::primitive_desc(cpu_engine(), user, cpu_engine(), wanted, attr);
      scratch_bytes_ = std::max<int64_t>(scratch_bytes_, static_cast<int64_t>(pd.scratchpad_desc().get_size()));
      op.reorder = dnnl::reorder(pd);
      op.offset = floats_;
      floats_ += aligned(static_cast<int64_t>(wanted.get_size() / sizeof(float)));
    }
    plan_.operands.push_back(std::move(op));
  }
  std::shared_ptr<const Plan> finish(dnnl::primitive primitive, const memory::desc& primitive_scratchpad,
                                     const char* implementation) {
    plan_.implementation = implementation;
    scratch_bytes_ = std::max<int64_t>(scratch_bytes_, static_cast<int64_t>(primitive_scratchpad.get_size()));
    const int64_t scratch_floats = scratch_bytes_ / static_cast<int64_t>(sizeof(float)) + 1;
    plan_.primitive = std::move(primitive);
    plan_.scratchpad = plain({scratch_floats}, tag::x);
    plan_.scratchpad_offset = floats_;
    plan_.floats = floats_ + aligned(scratch_floats);
    return std::make_shared<const Plan>(std::move(plan_));
  }

 private:
  Plan plan_;
  int64_t floats_ = 0;
  int64_t scratch_bytes_ = 0;
};

dnnl::convolution_forward::primitive_desc forward_pd(const Shapes& s, bool bias, dnnl::algorithm algo) {
  using Conv = dnnl::convolution_forward;
  const auto kind = dnnl::prop_kind::forward_training;
  const Conv::desc d = bias ? Conv::desc(kind, algo, any(s.src), any(s.weights), plain(s.bias, tag::x), any(s.dst),
                                         s.strides, s.padding, s.padding)
                            : Conv::desc(kind, algo, any(s.src), any(s.weights), any(s.dst), s.strides, s.padding,
                                         s.padding);
  return {d, user_scratchpad(), cpu_engine()};
}

// REVGAN_WINOGRAD's value, by_work when unset (a value parse_winograd_use refuses is reported by
// the engine, engine/ops/cpu_conv_backend.cpp, before any conv runs).
std::atomic<WinogradUse>& winograd_slot() {
  static std::atomic<WinogradUse> slot{[] {
    const char* value = std::getenv("REVGAN_WINOGRAD");
    return value == nullptr ? WinogradUse::by_work : parse_winograd_use(value).value_or(WinogradUse::by_work);
  }()};
  return slot;
}

// The plan of a pass computed with `algo` (the forward as oneDNN's hint for the gradients).
std::shared_ptr<const Plan> build_plan_with(const ConvGeometry& g, ConvPass pass, bool bias, dnnl::algorithm algo) {
  const Shapes s = shapes_of(g);
  const memory::desc src = plain(s.src, s.activation), dst = plain(s.dst, s.activation);
  const memory::desc weights = plain(s.weights, s.filter), bias_md = plain(s.bias, tag::x);
  const auto fwd = forward_pd(s, bias, algo);
  PlanBuilder b;
  switch (pass) {
    case ConvPass::forward:
      b.add(DNNL_ARG_SRC, false, src, fwd.src_desc());
      b.add(DNNL_ARG_WEIGHTS, false, weights, fwd.weights_desc());
      if (bias) b.add(DNNL_ARG_BIAS, false, bias_md, bias_md);
      b.add(DNNL_ARG_DST, true, dst, fwd.dst_desc());
      return b.finish(dnnl::convolution_forward(fwd), fwd.scratchpad_desc(), fwd.impl_info_str());
    case ConvPass::backward_input: {
      using Bwd = dnnl::convolution_backward_data;
      const Bwd::desc d(algo, any(s.src), any(s.weights), any(s.dst), s.strides, s.padding, s.padding);
      const Bwd::primitive_desc pd(d, user_scratchpad(), cpu_engine(), fwd);
      b.add(DNNL_ARG_DIFF_DST, false, dst, pd.diff_dst_desc());
      b.add(DNNL_ARG_WEIGHTS, false, weights, pd.weights_desc());
      b.add(DNNL_ARG_DIFF_SRC, true, src, pd.diff_src_desc());
      return b.finish(Bwd(pd), pd.scratchpad_desc(), pd.impl_info_str());
    }
    case ConvPass::backward_weight: {
      using Bwd = dnnl::convolution_backward_weights;
      const Bwd::desc d(algo, any(s.src), any(s.weights), any(s.dst), s.strides, s.padding, s.padding);
      const Bwd::primitive_desc pd(d, user_scratchpad(), cpu_engine(), fwd);
      b.add(DNNL_ARG_SRC, false, src, pd.src_desc());
      b.add(DNNL_ARG_DIFF_DST, false, dst, pd.diff_dst_desc());
      b.add(DNNL_ARG_DIFF_WEIGHTS, true, weights, pd.diff_weights_desc());
      return b.finish(Bwd(pd), pd.scratchpad_desc(), pd.impl_info_str());
    }
  }
  return nullptr;
}

// Winograd where winograd_suits asks for it and oneDNN has a kernel for it on this CPU (its
// Winograd kernels need AVX-512), else the direct convolution.
std::shared_ptr<const Plan> build_plan(const ConvGeometry& g, ConvPass pass, bool bias) {
  if (winograd_suits(g, pass)) {
    try {
      return build_plan_with(g, pass, bias, dnnl::algorithm::convolution_winograd);
    } catch (const dnnl::error&) {
      // No Winograd implementation here (dnnl_unimplemented): the direct kernels below.
    }
  }
  return build_plan_with(g, pass, bias, dnnl::algorithm::convolution_direct);
}

}  // namespace

// A oneDNN primitive takes the team size in force when it is created (omp_get_max_threads) as
// the one it splits its work and per-thread scratchpad for, so a plan is made for one team
// size, and a new team size (--cpu_threads adaptive) gets plans of its own.
PlanKey plan_key(const ConvGeometry& g, ConvPass pass, bool bias) {
  PlanKey k{g.batch, g.in_channels, g.out_channels, static_cast<int64_t>(pass), bias ? 1 : 0};
  std::size_t i = 5;
  for (const Extent3* e : {&g.input, &g.output, &g.kernel, &g.stride, &g.padding})
    for (int64_t v : *e) k[i++] = v;
  k[i++] = omp_get_max_threads();
  k[i] = winograd_suits(g, pass) ? 1 : 0;
  return k;
}

namespace {

std::atomic<int64_t> plans_built_so_far{0};

// The cached plan; the cache is cleared when it grows past k_max_plans (a run over many image
// sizes), which only costs the rebuilding of the plans still in use.
std::shared_ptr<const Plan> plan_for(const ConvGeometry& g, ConvPass pass, bool bias) {
  static std::mutex mutex;
  static std::map<PlanKey, std::shared_ptr<const Plan>> plans;
  const PlanKey key = plan_key(g, pass, bias);
  {
    const std::lock_guard<std::mutex> lock(mutex);
    const auto it = plans.find(key);
    if (it != plans.end()) return it->second;
  }
  std::shared_ptr<const Plan> plan = build_plan(g, pass, bias);
  ++plans_built_so_far;
  const std::lock_guard<std::mutex> lock(mutex);
  if (plans.size() >= k_max_plans) plans.clear();
  return plans.emplace(key, std::move(plan)).first->second;
}

// The plan's reordered weights operand (forward and input-gradient plans have one when the
// primitive wants another layout than the engine's), or null.
const Operand* reordered_weights(const Plan& plan) {
  for (const Operand& op : plan.operands)
    if (op.arg == DNNL_ARG_WEIGHTS && op.reorder) return &op;
  return nullptr;
}

// Runs a plan on the caller's buffers (one pointer per operand, in plan order). `prepared`:
// the weights already in the primitive's layout (see prepare_weights), or null.
void run(const Plan& plan, const std::vector<void*>& buffers, float* workspace, const float* prepared = nullptr) {
  dnnl::stream stream(cpu_engine());
  std::unordered_map<int, memory> args;
  std::vector<std::pair<memory, memory>> write_back;  // (wanted, user) of reordered outputs
  const memory scratch(plan.scratchpad, cpu_engine(), workspace + plan.scratchpad_offset);
  for (std::size_t i = 0; i < plan.operands.size(); ++i) {
    const Operand& op = plan.operands[i];
    const memory user(op.user, cpu_engine(), buffers[i]);
    if (!op.reorder) {
      args.emplace(op.arg, user);
      continue;
    }
    if (op.arg == DNNL_ARG_WEIGHTS && prepared != nullptr) {
      args.emplace(op.arg, memory(op.wanted, cpu_engine(), const_cast<float*>(prepared)));
      continue;
    }
    const memory wanted(op.wanted, cpu_engine(), workspace + op.offset);
    if (op.output) {
      write_back.emplace_back(wanted, user);
    } else {
      op.reorder->execute(stream, {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, wanted}, {DNNL_ARG_SCRATCHPAD, scratch}});
    }
    args.emplace(op.arg, wanted);
  }
  args.emplace(DNNL_ARG_SCRATCHPAD, scratch);
  plan.primitive.execute(stream, args);
  std::size_t next = 0;
  for (const Operand& op : plan.operands) {
    if (!op.reorder || !op.output) continue;
    const auto& [wanted, user] = write_back[next++];
    op.reorder->execute(stream, {{DNNL_ARG_FROM, wanted}, {DNNL_ARG_TO, user}, {DNNL_ARG_SCRATCHPAD, scratch}});
  }
  stream.wait();
}

// The input gradient of a stride-1 conv with fewer than 8 output channels and at least 8 input
// channels (the 7x7 conv to RGB): oneDNN's own backward-data kernel for it is generic and slow,
// but the gradient is also the forward conv of dy with flipped weights
// (kernels/common/input_grad_conv.hpp): dy's few channels in, x's many out, the shape oneDNN's
// direct forward kernels run at full speed (like the 7x7 first layer). The flipped weights sit
// at the start of the workspace.
bool input_grad_as_forward(const ConvGeometry& g) {
  return g.out_channels < 8 && g.in_channels >= 8 && input_grad_is_conv(g);
}

// Whether a pass runs as that forward: the input gradient of such a conv.
bool runs_as_flipped_forward(const ConvGeometry& g, ConvPass pass) {
  return pass == ConvPass::backward_input && input_grad_as_forward(g);
}

int64_t flipped_weight_floats(const ConvGeometry& g) { return aligned(flipped_weight_elements(g)); }

template <class Body>
Status guarded(const char* what, Body&& body) {
  try {
    body();
    return {};
  } catch (const dnnl::error& e) {
    return {std::string("oneDNN ") + what + ": " + e.what() + " (dnnl_status_t " + std::to_string(e.status) + ")"};
  }
}

void* mut(const void* p) { return const_cast<void*>(p); }  // oneDNN memory takes non-const handles

}  // namespace

bool suits(const ConvGeometry& g, ConvPass pass) {
  if (runs_as_flipped_forward(g, pass)) return true;
  if (g.out_channels < 8) return false;
  return pass != ConvPass::backward_input || g.in_channels >= 8;
}

int64_t plans_built() { return plans_built_so_far.load(); }

void set_winograd_use(WinogradUse use) { winograd_slot().store(use, std::memory_order_relaxed); }
WinogradUse winograd_use() { return winograd_slot().load(std::memory_order_relaxed); }

std::optional<WinogradUse> parse_winograd_use(std::string_view value) {
  if (value == "1" || value.empty()) return WinogradUse::by_work;
  if (value == "0") return WinogradUse::off;
  if (value == "always") return WinogradUse::always;
  return std::nullopt;
}

bool winograd_suits(const ConvGeometry& g, ConvPass pass) {
  const WinogradUse use = winograd_use();
  if (pass == ConvPass::forward || use == WinogradUse::off) return false;
  const bool planar = g.input[0] == 1 && g.output[0] == 1 && g.kernel[0] == 1;
  const bool three_by_three = g.kernel[1] == 3 && g.kernel[2] == 3;
  const bool unit_stride = g.stride[1] == 1 && g.stride[2] == 1;
  if (!planar || !three_by_three || !unit_stride) return false;
  if (use == WinogradUse::always) return true;
  const int64_t work = g.batch * g.in_channels * g.out_channels * 9 * volume(g.output);
  return work / omp_get_max_threads() >= k_winograd_min_work_per_thread;
}

namespace {

// The plan a pass runs on: its own (a bias only for the forward), or for the flipped-weights
// input gradient, the forward plan of its conv of dy.
std::shared_ptr<const Plan> pass_plan(const ConvGeometry& g, ConvPass pass, bool bias) {
  if (runs_as_flipped_forward(g, pass)) return plan_for(input_grad_conv_geometry(g), ConvPass::forward, false);
  return plan_for(g, pass, pass == ConvPass::forward && bias);
}

// The plan of a pass that takes prepared weights (with its weights operand), or null: the weight
// gradient has none, and the flipped-weights input gradient reorders the flipped copy itself.
std::pair<std::shared_ptr<const Plan>, const Operand*> preparable(const ConvGeometry& g, ConvPass pass, bool bias) {
  if (pass == ConvPass::backward_weight || runs_as_flipped_forward(g, pass)) return {nullptr, nullptr};
  auto plan = pass_plan(g, pass, bias);
  const Operand* weights = reordered_weights(*plan);
  return {weights == nullptr ? nullptr : std::move(plan), weights};
}

}  // namespace

std::string implementation(const ConvGeometry& g, ConvPass pass, bool bias) {
  return pass_plan(g, pass, bias)->implementation;
}

int64_t workspace_floats(const ConvGeometry& g, ConvPass pass, bool bias) {
  return (runs_as_flipped_forward(g, pass) ? flipped_weight_floats(g) : 0) + pass_plan(g, pass, bias)->floats;
}

int64_t prepared_weight_floats(const ConvGeometry& g, ConvPass pass, bool bias) {
  const Operand* weights = preparable(g, pass, bias).second;
  return weights == nullptr ? 0 : static_cast<int64_t>(weights->wanted.get_size() / sizeof(float));
}

Status prepare_weights(const ConvGeometry& g, ConvPass pass, bool bias, const float* w, float* prepared,
                       float* workspace) {
  return guarded("weight reorder", [&] {
    const auto [plan, weights] = preparable(g, pass, bias);
    if (weights == nullptr) throw dnnl::error(dnnl_invalid_arguments, "this pass takes no prepared weights");
    dnnl::stream stream(cpu_engine());
    const memory scratch(plan->scratchpad, cpu_engine(), workspace + plan->scratchpad_offset);
    weights->reorder->execute(stream, {{DNNL_ARG_FROM, memory(weights->user, cpu_engine(), mut(w))},
                                       {DNNL_ARG_TO, memory(weights->wanted, cpu_engine(), prepared)},
                                       {DNNL_ARG_SCRATCHPAD, scratch}});
    stream.wait();
  });
}

Status conv_forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y,
                    float* workspace, const float* prepared) {
  return guarded("convolution forward", [&] {
    const auto plan = plan_for(g, ConvPass::forward, bias != nullptr);
    std::vector<void*> buffers{mut(x), mut(w)};
    if (bias != nullptr) buffers.push_back(mut(bias));
    buffers.push_back(y);
    run(*plan, buffers, workspace, prepared);
  });
}

Status conv_backward_input(const ConvGeometry& g, const float* dy, const float* w, float* dx, float* workspace,
                           const float* prepared) {
  if (input_grad_as_forward(g)) {
    return guarded("convolution backward (input, as the flipped forward)", [&] {
      flip_conv_weights(g, w, workspace);
      run(*plan_for(input_grad_conv_geometry(g), ConvPass::forward, false), {mut(dy), workspace, dx},
          workspace + flipped_weight_floats(g));
    });
  }
  return guarded("convolution backward (input)", [&] {
    run(*plan_for(g, ConvPass::backward_input, false), {mut(dy), mut(w), dx}, workspace, prepared);
  });
}

Status conv_backward_weight(const ConvGeometry& g, const float* x, const float* dy, float* dw, float* workspace) {
  return guarded("convolution backward (weight)", [&] {
    run(*plan_for(g, ConvPass::backward_weight, false), {mut(x), mut(dy), dw}, workspace);
  });
}

}  // namespace revgan::kernels::cpu::onednn
