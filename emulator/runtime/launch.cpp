// Kernel launch submission: the configuration and pointer checks happen at the launch (as a
// real launch reports configuration errors at once); the grid runs when its stream is flushed.
#include <fmt/format.h>

#include <exception>

#include "emulator/execution/grid.hpp"
#include "emulator/execution/kernel_api.hpp"
#include "emulator/runtime/device_memory.hpp"
#include "emulator/runtime/streams.hpp"

namespace revgan::emu {

namespace {

cudaError_t check_configuration(const LaunchSite& site) {
  const auto where = [&] { return fmt::format("kernel {} launched at {}:{}", site.kernel, site.file, site.line); };
  if (site.block.y != 1 || site.block.z != 1 || site.grid.y != 1 || site.grid.z != 1)
    return raise(cudaErrorNotSupported,
                 fmt::format("{}: grid {}x{}x{}, block {}x{}x{}: only one-dimensional launches are emulated", where(),
                             site.grid.x, site.grid.y, site.grid.z, site.block.x, site.block.y, site.block.z));
  if (site.block.x < 1 || site.block.x > 1024)
    return raise(cudaErrorInvalidConfiguration,
                 fmt::format("{}: {} threads per block (1 to 1024 allowed)", where(), site.block.x));
  if (site.grid.x < 1 || site.grid.x > 2147483647u)
    return raise(cudaErrorInvalidConfiguration,
                 fmt::format("{}: {} blocks (1 to 2^31 - 1 allowed)", where(), site.grid.x));
  if (site.shared_bytes != 0)
    return raise(cudaErrorNotSupported,
                 fmt::format("{}: {} bytes of dynamic shared memory: not emulated", where(), site.shared_bytes));
  return cudaSuccess;
}

}  // namespace

void submit_launch(const LaunchSite& site, KernelBody body, const std::vector<const void*>& pointer_args) {
  if (check_configuration(site) != cudaSuccess) return;
  std::shared_ptr<Stream> stream;
  if (resolve_stream(site.stream, &stream) != cudaSuccess) return;
  const int device = current_device();
  if (stream->device != device) {
    raise(cudaErrorInvalidResourceHandle,
          fmt::format("kernel {} launched at {}:{} on a stream of device {} while device {} is current", site.kernel,
                      site.file, site.line, stream->device, device));
    return;
  }
  for (std::size_t i = 0; i < pointer_args.size(); ++i) {
    const void* p = pointer_args[i];
    if (p == nullptr) continue;
    const std::optional<Region> r = find_region(p);
    if (!r || r->device != device) {
      raise(cudaErrorInvalidValue,
            fmt::format("kernel {} launched at {}:{}: pointer argument {} ({}) is {}", site.kernel, site.file,
                        site.line, i + 1, p,
                        r ? fmt::format("memory of device {}, not of the current device {}", r->device, device)
                          : std::string("not device memory")));
      return;
    }
  }
  raise(enqueue(*stream, [site, body = std::move(body)]() -> Fault {
    try {
      std::string fault = run_grid(site, body);
      if (fault.empty()) return {};
      return Fault{cudaErrorLaunchFailure, std::move(fault)};
    } catch (const std::exception& e) {
      return Fault{cudaErrorLaunchFailure,
                   fmt::format("kernel {} launched at {}:{}: {}", site.kernel, site.file, site.line, e.what())};
    }
  }));
}

}  // namespace revgan::emu
