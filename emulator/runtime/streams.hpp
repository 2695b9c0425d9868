// Emulated streams and events. Work queued on a stream runs as late as it may: when something
// waits for it (a synchronising call, an event another stream waits on, a copy to the host), in
// the order it was queued. A real GPU may run queued work at any point between those two moments;
// running it at the last one makes a missing synchronisation show up as a wrong result, every
// time. The legacy default stream (a null handle) runs its work at once, after the work queued on
// the device's blocking streams, as the legacy stream's implicit synchronisation requires.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

#include "emulator/runtime/errors.hpp"

namespace revgan::emu {

using Work = std::function<Fault()>;

struct Stream {
  int device = 0;
  bool blocking = true;
  bool legacy = false;
  std::deque<Work> queue;
  std::uint64_t enqueued = 0;  // work items ever queued
  std::uint64_t executed = 0;  // work items run
};

struct Event {
  int device = 0;                // where it was created; it may be recorded there only
  std::weak_ptr<Stream> stream;  // where it was last recorded
  std::uint64_t mark = 0;        // it completes when the stream has run this many items
  bool recorded = false;
  bool timing = true;
  bool completed = false;
  double time_ms = 0;  // host clock when it completed
};

int current_device();
void set_current_device(int device);

// The stream a handle names (null and cudaStreamLegacy: the current device's legacy stream),
// or an error for a handle that is not a live stream.
cudaError_t resolve_stream(cudaStream_t handle, std::shared_ptr<Stream>* out);
cudaError_t create_stream(unsigned flags, cudaStream_t* out);
cudaError_t destroy_stream(cudaStream_t handle);

// Queues `work` on `s` (the legacy stream runs it now). The fault is that of anything run.
Fault enqueue(Stream& s, Work work);
// Runs s's queued work until `until` items have run (all of it by default).
Fault flush(Stream& s, std::uint64_t until = UINT64_MAX);
// Runs everything queued on the device's streams (device -1: every device).
Fault flush_device(int device);

cudaError_t resolve_event(cudaEvent_t handle, std::shared_ptr<Event>* out);
cudaError_t create_event(unsigned flags, cudaEvent_t* out);
cudaError_t destroy_event(cudaEvent_t handle);
// Runs the work an event waits for; a never-recorded event is complete.
Fault flush_event(const Event& e);

}  // namespace revgan::emu
