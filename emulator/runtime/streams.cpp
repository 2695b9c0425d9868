// Stream and event registries, queueing and the late flush.
#include "emulator/runtime/streams.hpp"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "emulator/runtime/config.hpp"

namespace revgan::emu {

namespace {

struct Registry {
  std::map<const void*, std::shared_ptr<Stream>> streams;
  std::map<const void*, std::shared_ptr<Event>> events;
  std::vector<std::shared_ptr<Stream>> legacy;
};

Registry& registry() {
  static auto* r = new Registry();  // immortal: handles may be destroyed during static teardown
  return *r;
}

thread_local int tl_device = 0;

std::shared_ptr<Stream> legacy_stream(int device) {
  Registry& reg = registry();
  if (reg.legacy.empty()) {
    for (int d = 0; d < config().devices; ++d) {
      auto s = std::make_shared<Stream>();
      s->device = d;
      s->legacy = true;
      reg.legacy.push_back(s);
    }
  }
  return reg.legacy[static_cast<std::size_t>(device)];
}

Fault first(Fault a, Fault b) {
  return a.failed() ? a : b;
}

}  // namespace

int current_device() {
  return tl_device;
}

void set_current_device(int device) {
  tl_device = device;
}

cudaError_t resolve_stream(cudaStream_t handle, std::shared_ptr<Stream>* out) {
  std::lock_guard lock(state_mutex());
  if (handle == nullptr || handle == cudaStreamLegacy) {
    *out = legacy_stream(tl_device);
    return cudaSuccess;
  }
  auto it = registry().streams.find(handle);
  if (it == registry().streams.end())
    return raise(cudaErrorInvalidResourceHandle,
                 fmt::format("stream handle {} is not a live stream", static_cast<const void*>(handle)));
  *out = it->second;
  return cudaSuccess;
}

cudaError_t create_stream(unsigned flags, cudaStream_t* out) {
  std::lock_guard lock(state_mutex());
  if ((flags & ~unsigned{cudaStreamNonBlocking}) != 0)
    return raise(cudaErrorInvalidValue, fmt::format("cudaStreamCreateWithFlags: unknown flags {:#x}", flags));
  auto s = std::make_shared<Stream>();
  s->device = tl_device;
  s->blocking = (flags & cudaStreamNonBlocking) == 0;
  *out = reinterpret_cast<cudaStream_t>(s.get());
  registry().streams[s.get()] = s;
  return cudaSuccess;
}

cudaError_t destroy_stream(cudaStream_t handle) {
  std::lock_guard lock(state_mutex());
  auto it = registry().streams.find(handle);
  if (it == registry().streams.end())
    return raise(cudaErrorInvalidResourceHandle,
                 fmt::format("cudaStreamDestroy({}): not a live stream", static_cast<const void*>(handle)));
  // Work already queued still runs, as on a GPU.
  std::shared_ptr<Stream> s = it->second;
  const Fault f = flush(*s);
  registry().streams.erase(it);
  return raise(f);
}

Fault enqueue(Stream& s, Work work) {
  std::lock_guard lock(state_mutex());
  ++s.enqueued;
  if (!s.legacy) {
    s.queue.push_back(std::move(work));
    return {};
  }
  Fault f;
  for (auto& [handle, other] : registry().streams)
    if (other->device == s.device && other->blocking) f = first(f, flush(*other));
  f = first(f, work());
  ++s.executed;
  return f;
}

Fault flush(Stream& s, std::uint64_t until) {
  std::lock_guard lock(state_mutex());
  Fault f;
  while (s.executed < until && !s.queue.empty()) {
    Work w = std::move(s.queue.front());
    s.queue.pop_front();
    f = first(f, w());
    ++s.executed;
  }
  return f;
}

Fault flush_device(int device) {
  std::lock_guard lock(state_mutex());
  Fault f;
  // Copy first: running work may create no streams, but keep iteration independent of it.
  std::vector<std::shared_ptr<Stream>> all;
  for (auto& [handle, s] : registry().streams) all.push_back(s);
  for (auto& s : all)
    if (device < 0 || s->device == device) f = first(f, flush(*s));
  return f;  // the legacy streams have nothing queued: they run their work at once
}

cudaError_t resolve_event(cudaEvent_t handle, std::shared_ptr<Event>* out) {
  std::lock_guard lock(state_mutex());
  auto it = registry().events.find(handle);
  if (it == registry().events.end())
    return raise(cudaErrorInvalidResourceHandle,
                 fmt::format("event handle {} is not a live event", static_cast<const void*>(handle)));
  *out = it->second;
  return cudaSuccess;
}

cudaError_t create_event(unsigned flags, cudaEvent_t* out) {
  std::lock_guard lock(state_mutex());
  if ((flags & ~unsigned{cudaEventBlockingSync | cudaEventDisableTiming}) != 0)
    return raise(cudaErrorInvalidValue, fmt::format("cudaEventCreateWithFlags: unknown flags {:#x}", flags));
  auto e = std::make_shared<Event>();
  e->timing = (flags & cudaEventDisableTiming) == 0;
  e->device = tl_device;
  *out = reinterpret_cast<cudaEvent_t>(e.get());
  registry().events[e.get()] = e;
  return cudaSuccess;
}

cudaError_t destroy_event(cudaEvent_t handle) {
  std::lock_guard lock(state_mutex());
  if (registry().events.erase(handle) == 0)
    return raise(cudaErrorInvalidResourceHandle,
                 fmt::format("cudaEventDestroy({}): not a live event", static_cast<const void*>(handle)));
  return cudaSuccess;
}

Fault flush_event(const Event& e) {
  std::lock_guard lock(state_mutex());
  if (!e.recorded) return {};
  std::shared_ptr<Stream> s = e.stream.lock();
  if (!s) return {};  // its stream was destroyed after running everything
  return flush(*s, e.mark);
}

}  // namespace revgan::emu
