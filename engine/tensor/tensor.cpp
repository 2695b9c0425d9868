// Tensor construction, views, copies and autograd metadata accessors.
#include "engine/tensor/tensor.hpp"

#include <cstring>
#include <type_traits>
#include <utility>

#include "engine/autograd/node.hpp"
#include "engine/tensor/device_copy.hpp"

#include "engine/ops/dispatch.hpp"
#include "kernels/cpu/elementwise.hpp"
#ifdef REVGAN_WITH_CUDA
#include "kernels/cuda/elementwise.cuh"
#endif

namespace revgan {

namespace {
const TensorImpl& checked(const std::shared_ptr<TensorImpl>& impl) {
  REVGAN_CHECK(impl != nullptr, "tensor: use of an undefined tensor");
  return *impl;
}
}  // namespace

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<std::size_t>(shape.numel()) * dtype_size(dtype), device);
  impl->shape = shape;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

const Shape& Tensor::shape() const { return checked(impl_).shape; }

int64_t Tensor::size(int i) const {
  int r = dim();
  int k = i < 0 ? i + r : i;
  REVGAN_CHECK(k >= 0 && k < r, "tensor: dimension {} out of range for {}", i, describe());
  return shape()[k];
}

DType Tensor::dtype() const { return checked(impl_).dtype; }
Device Tensor::device() const { return checked(impl_).storage->device(); }

std::string Tensor::describe() const {
  if (!defined()) return "undefined tensor";
  return fmt::format("{}{} on {}", dtype_name(dtype()), shape().str(), device().str());
}

template <class T>
T* Tensor::data() {
  REVGAN_CHECK(dtype() == dtype_of<T>(), "tensor: requested {} data from {}", dtype_name(dtype_of<T>()), describe());
  return static_cast<T*>(impl_->storage->data()) + impl_->offset;
}
template <class T>
const T* Tensor::data() const {
  REVGAN_CHECK(dtype() == dtype_of<T>(), "tensor: requested {} data from {}", dtype_name(dtype_of<T>()), describe());
  return static_cast<const T*>(std::as_const(*impl_->storage).data()) + impl_->offset;
}
template float* Tensor::data<float>();
template double* Tensor::data<double>();
template const float* Tensor::data<float>() const;
template const double* Tensor::data<double>() const;

void* Tensor::raw_data() {
  const auto& impl = checked(impl_);
  return static_cast<char*>(impl.storage->data()) + impl.offset * static_cast<int64_t>(dtype_size(impl.dtype));
}
const void* Tensor::raw_data() const {
  const auto& impl = checked(impl_);
  return static_cast<const char*>(std::as_const(*impl.storage).data()) +
         impl.offset * static_cast<int64_t>(dtype_size(impl.dtype));
}

const std::shared_ptr<Storage>& Tensor::storage() const { return checked(impl_).storage; }

bool Tensor::shares_storage_with(const Tensor& other) const {
  return defined() && other.defined() && impl_->storage == other.impl_->storage;
}

Tensor Tensor::reshape(const Shape& new_shape) const {
  REVGAN_CHECK(new_shape.numel() == numel(), "reshape: cannot view {} as {}", describe(), new_shape.str());
  auto impl = std::make_shared<TensorImpl>(checked(impl_));
  impl->shape = new_shape;
  impl->grad_fn = nullptr;
  impl->grad = Tensor();
  impl->grad_accumulator.reset();
  impl->requires_grad = false;
  return Tensor(std::move(impl));
}

Tensor Tensor::narrow_channels(int64_t start, int64_t length) const {
  REVGAN_CHECK(dim() >= 2, "narrow_channels: needs a tensor with a channel dimension, got {}", describe());
  REVGAN_CHECK(start >= 0 && length >= 0 && start + length <= size(1),
               "narrow_channels: channels [{}, {}) out of range for {}", start, start + length, describe());
  Shape out = shape();
  out[1] = length;
  if (size(0) == 1) {
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = impl_->storage;
    impl->dtype = impl_->dtype;
    impl->shape = out;
    impl->offset = impl_->offset + start * (numel() / size(0) / size(1));
    return Tensor(std::move(impl));
  }
  Tensor result = Tensor::empty(out, dtype(), device());
  int64_t inner = numel() / size(0) / size(1);
  std::size_t es = dtype_size(dtype());
  for (int64_t n = 0; n < size(0); ++n) {
    copy_bytes(static_cast<char*>(result.raw_data()) + n * length * inner * static_cast<int64_t>(es), result.device(),
               static_cast<const char*>(raw_data()) + (n * size(1) + start) * inner * static_cast<int64_t>(es),
               device(), static_cast<std::size_t>(length * inner) * es);
  }
  return result;
}

Tensor Tensor::detach() const {
  auto impl = std::make_shared<TensorImpl>();
  const auto& src = checked(impl_);
  impl->storage = src.storage;
  impl->offset = src.offset;
  impl->shape = src.shape;
  impl->dtype = src.dtype;
  return Tensor(std::move(impl));
}

Tensor Tensor::clone() const {
  Tensor out = Tensor::empty(shape(), dtype(), device());
  out.copy_from(*this);
  return out;
}

Tensor Tensor::to(Device target) const {
  if (target == device()) return *this;
  Tensor out = Tensor::empty(shape(), dtype(), target);
  out.copy_from(*this);
  return out;
}

Tensor Tensor::to(DType target) const {
  if (target == dtype()) return *this;
  // On a device the conversion runs there, without a round trip through the host (S != D here).
  Tensor out = Tensor::empty(shape(), target, device());
  const int64_t n = numel();
  ops::dispatch(
      "to(dtype)", *this,
      [&](auto tag) {
        using S = decltype(tag);
        dispatch_floating(target, [&](auto dst_tag) {
          using D = decltype(dst_tag);
          if constexpr (!std::is_same_v<S, D>) kernels::cpu::convert<S, D>(n, data<S>(), out.data<D>());
        });
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using S = decltype(tag);
        dispatch_floating(target, [&](auto dst_tag) {
          using D = decltype(dst_tag);
          if constexpr (!std::is_same_v<S, D>)
            REVGAN_CUDA_CHECK((kernels::cuda::convert<S, D>(n, data<S>(), out.data<D>(), cuda::stream())));
        });
      }));
  return out;
}

void Tensor::copy_from(const Tensor& src) {
  REVGAN_CHECK(shape() == src.shape() && dtype() == src.dtype(), "copy_from: destination {} but source {}",
               describe(), src.describe());
  copy_bytes(raw_data(), device(), src.raw_data(), src.device(), nbytes());
}

std::vector<double> Tensor::to_vector() const {
  Tensor host = to(Device::cpu());
  std::vector<double> out(static_cast<std::size_t>(numel()));
  dispatch_floating(dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = host.data<T>();
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(p[i]);
  });
  return out;
}

double Tensor::item() const {
  REVGAN_CHECK(numel() == 1, "item: expected a one-element tensor, got {}", describe());
  return to_vector()[0];
}

bool Tensor::requires_grad() const { return checked(impl_).requires_grad; }

Tensor& Tensor::set_requires_grad(bool enabled) {
  REVGAN_CHECK(impl_ != nullptr, "set_requires_grad: undefined tensor");
  REVGAN_CHECK(enabled || impl_->grad_fn == nullptr,
               "set_requires_grad(false): tensor is the output of {}; use detach()", impl_->grad_fn ? impl_->grad_fn->name() : "");
  impl_->requires_grad = enabled;
  return *this;
}

bool Tensor::is_leaf() const { return checked(impl_).grad_fn == nullptr; }
const Tensor& Tensor::grad() const { return checked(impl_).grad; }

void Tensor::set_grad(const Tensor& grad) {
  REVGAN_CHECK(!grad.defined() || grad.shape() == shape(), "set_grad: gradient {} for tensor {}", grad.describe(),
               describe());
  impl_->grad = grad;
}

void Tensor::zero_grad() { impl_->grad = Tensor(); }
const std::shared_ptr<Node>& Tensor::grad_fn() const { return checked(impl_).grad_fn; }
int Tensor::output_nr() const { return checked(impl_).output_nr; }

void Tensor::set_history(std::shared_ptr<Node> node, int output_nr) {
  impl_->grad_fn = std::move(node);
  impl_->output_nr = output_nr;
  impl_->requires_grad = true;
}

}  // namespace revgan
