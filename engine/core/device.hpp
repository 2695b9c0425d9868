// Where a tensor lives: the CPU or one CUDA device.
#pragma once

#include <string>

#include <fmt/format.h>

namespace revgan {

enum class DeviceType : uint8_t { cpu, cuda };

struct Device {
  DeviceType type = DeviceType::cpu;
  int index = 0;

  static Device cpu() { return {DeviceType::cpu, 0}; }
  static Device cuda(int index = 0) { return {DeviceType::cuda, index}; }
  bool is_cpu() const { return type == DeviceType::cpu; }
  bool is_cuda() const { return type == DeviceType::cuda; }
  bool operator==(const Device&) const = default;
  std::string str() const { return is_cpu() ? std::string("cpu") : fmt::format("cuda:{}", index); }
};

// Parses "cpu", "cuda" or "cuda:N"; throws on anything else.
Device parse_device(const std::string& text);

}  // namespace revgan
