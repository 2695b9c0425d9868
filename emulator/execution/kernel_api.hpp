// What emulated kernel code calls into: the barrier and shuffle primitives of the thread that
// runs now, and the launch binding that REVGAN_EMU_LAUNCH expands to. A launch converts its
// arguments to the kernel's parameter types (as a real launch does), checks that pointer
// arguments are device pointers, and queues the grid on the stream (emulator/runtime/streams).
#pragma once

#include <cstddef>
#include <memory>
#include <tuple>
#include <type_traits>
#include <vector>

#include "cuda_runtime_api.h"

namespace revgan::emu {

void sync_threads(const char* file, int line);
float shfl_down_sync(const char* file, int line, unsigned mask, float value, unsigned delta, int width = 32);
double shfl_down_sync(const char* file, int line, unsigned mask, double value, unsigned delta, int width = 32);

// Where and how a kernel was launched.
struct LaunchSite {
  dim3 grid;
  dim3 block;
  std::size_t shared_bytes;
  cudaStream_t stream;
  const char* kernel;  // the launch expression's kernel text, for messages
  const char* file;
  int line;
};

// A kernel with its arguments bound: invoke(closure) runs it for the current thread.
struct KernelBody {
  void (*invoke)(const void* closure) = nullptr;
  std::shared_ptr<const void> closure;
};

// Validates the configuration and the pointer arguments and queues the grid; failures become
// the calling thread's last error, as for a real launch.
void submit_launch(const LaunchSite& site, KernelBody body, const std::vector<const void*>& pointer_args);

template <class... P>
class BoundLaunch {
 public:
  BoundLaunch(void (*kernel)(P...), const LaunchSite& site) : kernel_(kernel), site_(site) {}

  void operator()(P... args) const {
    struct Closure {
      void (*kernel)(P...);
      std::tuple<P...> args;
    };
    auto closure = std::make_shared<const Closure>(Closure{kernel_, std::tuple<P...>(args...)});
    std::vector<const void*> pointers;
    std::apply(
        [&](const auto&... a) {
          (
              [&](const auto& arg) {
                if constexpr (std::is_pointer_v<std::decay_t<decltype(arg)>>) pointers.push_back(arg);
              }(a),
              ...);
        },
        closure->args);
    KernelBody body;
    body.invoke = [](const void* c) {
      const auto* self = static_cast<const Closure*>(c);
      std::apply(self->kernel, self->args);
    };
    body.closure = closure;
    submit_launch(site_, std::move(body), pointers);
  }

 private:
  void (*kernel_)(P...);
  LaunchSite site_;
};

template <class... P>
BoundLaunch<P...> bind_launch(void (*kernel)(P...), const LaunchSite& site) {
  return BoundLaunch<P...>(kernel, site);
}

}  // namespace revgan::emu

// kernel<<<grid, block, shared, stream>>>(args...) in the emulator; the kernel comes last so that
// template arguments with commas need no parentheses.
#define REVGAN_EMU_LAUNCH(grid, block, shared, stream, ...)                                                  \
  ::revgan::emu::bind_launch(__VA_ARGS__, ::revgan::emu::LaunchSite{dim3(grid), dim3(block), shared, stream, \
                                                                    #__VA_ARGS__, __FILE__, __LINE__})
