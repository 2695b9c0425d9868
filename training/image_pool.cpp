// Image pool: per-image choices in batch order, one uniform draw per image once full (and one
// more for the slot), the same sequence as the framework's ImagePool.
#include "training/image_pool.hpp"

#include <bit>
#include <cinttypes>
#include <cstdio>

#include "engine/autograd/grad_mode.hpp"
#include "engine/ops/channels.hpp"

namespace revgan::training {

namespace {

// Image i of a [N, C, ...] batch as a fresh [1, C, ...] tensor. Batches are contiguous, so
// viewing the batch as [1, N*C, ...] turns the batch index into a channel range.
Tensor batch_item(const Tensor& images, int64_t i) {
  Shape flat = images.shape();
  const int64_t n = flat[0], c = flat[1];
  flat[0] = 1;
  flat[1] = n * c;
  Shape one = images.shape();
  one[0] = 1;
  return images.reshape(flat).narrow_channels(i * c, c).reshape(one).clone();
}

// Batches of more than one image come from datasets of one image size (checked when the dataset
// is built), so their items always stack.
Tensor stack_batch(const std::vector<Tensor>& items) {
  if (items.size() == 1) return items.front();
  Tensor joined = ops::concat_channels(items);  // [1, N*C, ...]
  Shape shape = items.front().shape();
  shape[0] = static_cast<int64_t>(items.size());
  return joined.reshape(shape);
}

}  // namespace

ImagePool::ImagePool(int64_t pool_size, uint64_t seed) : pool_size_(pool_size), gen_(seed) {
  REVGAN_CHECK(pool_size >= 0, "ImagePool: pool_size must not be negative, got {}", pool_size);
}

Tensor ImagePool::query(const Tensor& images) {
  if (pool_size_ == 0) return images;
  REVGAN_CHECK(images.defined() && images.dim() >= 2, "ImagePool: expected a [N, C, ...] batch, got {}",
               images.defined() ? images.describe() : std::string("an undefined tensor"));
  NoGradScope no_grad;
  const Tensor batch = images.detach();
  std::vector<Tensor> out;
  for (int64_t i = 0; i < batch.size(0); ++i) {
    Tensor image = batch_item(batch, i);
    // Sizes may differ (datasets of mixed image sizes, batch size 1): the discriminator is fully
    // convolutional. Channels, rank and dtype may not.
    if (!images_.empty()) {
      const Tensor& pooled = images_.front();
      REVGAN_CHECK(image.dim() == pooled.dim() && image.size(1) == pooled.size(1) && image.dtype() == pooled.dtype(),
                   "ImagePool: image {} does not match the pooled images {} (channels, rank or dtype)",
                   image.describe(), pooled.describe());
    }
    if (static_cast<int64_t>(images_.size()) < pool_size_) {
      images_.push_back(image);
      out.push_back(image);
    } else if (gen_.uniform() > 0.5) {
      const auto slot = static_cast<std::size_t>(gen_.below(static_cast<uint64_t>(pool_size_)));
      out.push_back(images_[slot]);
      images_[slot] = image;
    } else {
      out.push_back(image);
    }
  }
  return stack_batch(out);
}

void ImagePool::restore(std::vector<Tensor> images, const Generator::State& rng) {
  REVGAN_CHECK(static_cast<int64_t>(images.size()) <= pool_size_, "ImagePool: {} images exceed pool_size {}",
               images.size(), pool_size_);
  images_ = std::move(images);
  gen_.set_state(rng);
}

std::string generator_state_to_string(const Generator::State& st) {
  return fmt::format("{:016x} {:016x} {:016x} {:016x} {:016x} {}", st.s[0], st.s[1], st.s[2], st.s[3],
                     std::bit_cast<uint64_t>(st.spare_normal), st.has_spare ? 1 : 0);
}

Generator::State generator_state_from_string(const std::string& text) {
  Generator::State st;
  unsigned long long v[5] = {};
  int spare = 0;
  REVGAN_CHECK(std::sscanf(text.c_str(), "%llx %llx %llx %llx %llx %d", &v[0], &v[1], &v[2], &v[3], &v[4], &spare) ==
                       6 &&
                   (spare == 0 || spare == 1),
               "malformed generator state '{}'", text);
  for (int i = 0; i < 4; ++i) st.s[static_cast<std::size_t>(i)] = v[i];
  st.spare_normal = std::bit_cast<double>(static_cast<uint64_t>(v[4]));
  st.has_spare = spare == 1;
  return st;
}

}  // namespace revgan::training
