// The fiber switch: push the six callee-saved registers, store the stack pointer, load the
// other one, pop its registers and return into it. A fresh stack is laid out so that this
// return lands in revgan_emu_fiber_start, which calls the entry (held in r12) with its argument
// (r13) on a 16-byte aligned stack.
#include "emulator/execution/fiber.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define REVGAN_EMU_ASAN 1
#endif

#if !defined(__x86_64__)
#error "the CUDA emulator's fiber switch is written for x86-64"
#endif

extern "C" void revgan_emu_switch(void** save_sp, void* load_sp);
extern "C" void revgan_emu_fiber_start();

asm(R"(
    .text
    .p2align 4
    .globl revgan_emu_switch
    .hidden revgan_emu_switch
    .type revgan_emu_switch, @function
revgan_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size revgan_emu_switch, .-revgan_emu_switch

    .p2align 4
    .globl revgan_emu_fiber_start
    .hidden revgan_emu_fiber_start
    .type revgan_emu_fiber_start, @function
revgan_emu_fiber_start:
    movq %r13, %rdi
    callq *%r12
    ud2
    .size revgan_emu_fiber_start, .-revgan_emu_fiber_start
)");

namespace revgan::emu {

FiberStack::FiberStack(std::size_t bytes) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  guard_ = page;
  size_ = (bytes + page - 1) / page * page;
  void* p = ::mmap(nullptr, guard_ + size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  base_ = static_cast<char*>(p);
  ::mprotect(base_, guard_, PROT_NONE);
}

FiberStack::~FiberStack() {
  ::munmap(base_, guard_ + size_);
}

void prepare_fiber(Fiber& fiber, FiberStack& stack, FiberEntry entry, void* arg) {
  // Seven words popped by revgan_emu_switch (r15, r14, r13, r12, rbx, rbp, return address); the
  // stack pointer after them is 16 below the top, so the call in fiber_start is aligned.
  auto* top = reinterpret_cast<std::uintptr_t*>(stack.bottom() + stack.size());
  std::uintptr_t* sp = top - 9;
  sp[0] = 0;                                                          // r15
  sp[1] = 0;                                                          // r14
  sp[2] = reinterpret_cast<std::uintptr_t>(arg);                      // r13
  sp[3] = reinterpret_cast<std::uintptr_t>(entry);                    // r12
  sp[4] = 0;                                                          // rbx
  sp[5] = 0;                                                          // rbp
  sp[6] = reinterpret_cast<std::uintptr_t>(&revgan_emu_fiber_start);  // return address
  sp[7] = 0;
  sp[8] = 0;
  fiber.sp = sp;
  fiber.stack_bottom = stack.bottom();
  fiber.stack_size = stack.size();
  fiber.fake_stack = nullptr;
}

void switch_fiber(Fiber& from, Fiber& to) {
#ifdef REVGAN_EMU_ASAN
  __sanitizer_start_switch_fiber(&from.fake_stack, to.stack_bottom, to.stack_size);
  revgan_emu_switch(&from.sp, to.sp);
  __sanitizer_finish_switch_fiber(from.fake_stack, nullptr, nullptr);
#else
  revgan_emu_switch(&from.sp, to.sp);
#endif
}

void exit_fiber(Fiber& from, Fiber& to) {
#ifdef REVGAN_EMU_ASAN
  __sanitizer_start_switch_fiber(nullptr, to.stack_bottom, to.stack_size);
#endif
  revgan_emu_switch(&from.sp, to.sp);
  __builtin_unreachable();
}

void fiber_started(Fiber& caller) {
#ifdef REVGAN_EMU_ASAN
  const void* bottom = nullptr;
  std::size_t size = 0;
  __sanitizer_finish_switch_fiber(nullptr, &bottom, &size);
  // Only the first start comes from the scheduler for sure; later ones may come from a fiber.
  if (caller.stack_bottom == nullptr) {
    caller.stack_bottom = bottom;
    caller.stack_size = size;
  }
#else
  (void)caller;
#endif
}

FiberStack& StackPool::at(std::size_t i) {
  while (stacks_.size() <= i) stacks_.push_back(std::make_unique<FiberStack>(fiber_stack_bytes()));
  return *stacks_[i];
}

std::size_t fiber_stack_bytes() {
#ifdef REVGAN_EMU_ASAN
  return std::size_t{256} << 10;
#else
  return std::size_t{64} << 10;
#endif
}

}  // namespace revgan::emu
