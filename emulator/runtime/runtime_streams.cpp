// The stream and event calls of the runtime API.
#include <fmt/format.h>

#include <chrono>

#include "emulator/runtime/config.hpp"
#include "emulator/runtime/streams.hpp"

using namespace revgan::emu;

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

cudaError_t cudaStreamCreate(cudaStream_t* stream) {
  return create_stream(cudaStreamDefault, stream);
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int flags) {
  return create_stream(flags, stream);
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  return destroy_stream(stream);
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  std::shared_ptr<Stream> s;
  if (cudaError_t e = resolve_stream(stream, &s); e != cudaSuccess) return e;
  return raise(flush(*s));
}

// Work the emulator has queued is run rather than reported as pending, so polling loops end.
cudaError_t cudaStreamQuery(cudaStream_t stream) {
  return cudaStreamSynchronize(stream);
}

cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags) {
  if (flags != 0) return raise(cudaErrorInvalidValue, fmt::format("cudaStreamWaitEvent: flags {:#x}", flags));
  std::shared_ptr<Stream> s;
  std::shared_ptr<Event> e;
  if (cudaError_t r = resolve_stream(stream, &s); r != cudaSuccess) return r;
  if (cudaError_t r = resolve_event(event, &e); r != cudaSuccess) return r;
  if (!e->recorded) return cudaSuccess;  // waiting for a never-recorded event waits for nothing
  // The wait refers to the event's most recent record as of now.
  Event snapshot = *e;
  return raise(enqueue(*s, [snapshot] { return flush_event(snapshot); }));
}

cudaError_t cudaEventCreate(cudaEvent_t* event) {
  return create_event(cudaEventDefault, event);
}

cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned int flags) {
  return create_event(flags, event);
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
  return destroy_event(event);
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
  std::lock_guard lock(state_mutex());
  std::shared_ptr<Stream> s;
  std::shared_ptr<Event> e;
  if (cudaError_t r = resolve_stream(stream, &s); r != cudaSuccess) return r;
  if (cudaError_t r = resolve_event(event, &e); r != cudaSuccess) return r;
  if (e->device != s->device)
    return raise(cudaErrorInvalidResourceHandle,
                 fmt::format("cudaEventRecord: the event belongs to device {} but the stream to device {}", e->device,
                             s->device));
  e->recorded = true;
  e->completed = false;
  e->stream = s;
  std::weak_ptr<Event> weak = e;
  const Fault f = enqueue(*s, [weak] {
    if (auto ev = weak.lock()) {
      ev->completed = true;
      ev->time_ms = now_ms();
    }
    return Fault{};
  });
  e->mark = s->enqueued;
  return raise(f);
}

cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  std::shared_ptr<Event> e;
  if (cudaError_t r = resolve_event(event, &e); r != cudaSuccess) return r;
  return raise(flush_event(*e));
}

cudaError_t cudaEventQuery(cudaEvent_t event) {
  return cudaEventSynchronize(event);
}

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  std::shared_ptr<Event> a, b;
  if (cudaError_t r = resolve_event(start, &a); r != cudaSuccess) return r;
  if (cudaError_t r = resolve_event(end, &b); r != cudaSuccess) return r;
  if (!a->timing || !b->timing)
    return raise(cudaErrorInvalidResourceHandle, "cudaEventElapsedTime: an event was created with timing disabled");
  if (!a->recorded || !b->recorded)
    return raise(cudaErrorInvalidResourceHandle, "cudaEventElapsedTime: an event was never recorded");
  Fault f = flush_event(*a);
  if (!f.failed()) f = flush_event(*b);
  if (f.failed()) return raise(f);
  *ms = static_cast<float>(b->time_ms - a->time_ms);
  return cudaSuccess;
}
