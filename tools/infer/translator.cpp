// Translator: checkpoint loading with clear errors, image <-> tensor, batching by size.
#include "tools/infer/translator.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "engine/autograd/grad_mode.hpp"
#include "models/generator_program.hpp"
#include "models/unet_generator.hpp"
#include "training/model_factory.hpp"

namespace revgan::infer {

Translator::Translator(std::shared_ptr<models::GeneratorPair> generators, const training::TrainOptions& options,
                       bool x_to_y, Device device)
    : generators_(std::move(generators)), options_(options), x_to_y_(x_to_y), device_(device) {
  const training::ModelTraits traits = training::model_traits(options.model);
  REVGAN_CHECK(traits.dims == 2, "model '{}' translates volumes, not images (use --volume)", options.model);
  REVGAN_CHECK(x_to_y || traits.two_way, "model '{}' has a single generator (AtoB); BtoA does not exist",
               options.model);
  in_nc_ = x_to_y ? options.input_nc : options.output_nc;
  out_nc_ = x_to_y ? options.output_nc : options.input_nc;
  generators_->eval();
  generators_->to(device_);
  if (dynamic_cast<models::OneWayUnet*>(generators_.get()) != nullptr) {
    const auto& unet = dynamic_cast<const models::UnetGenerator&>(generators_->submodule("g_xy"));
    set_whole_only(int64_t{1} << unet.options().num_downs);
    return;
  }
  program_ = models::generator_program(*generators_, x_to_y);
}

void Translator::set_whole_only(int64_t multiple) {
  REVGAN_CHECK(multiple > 0, "Translator: the whole-only multiple must be positive, got {}", multiple);
  whole_multiple_ = multiple;
}

void Translator::use_training_mode() {
  REVGAN_CHECK(whole_multiple_ > 0, "Translator: training mode is only for whole-only networks (U-Net)");
  generators_->train();
}

namespace {

TileOptions whole_options(const TileOptions& tiles, int64_t multiple) {
  REVGAN_CHECK(tiles.tile == 0,
               "--tile {}: this network (U-Net) runs on whole images only: its skip connections span the whole "
               "image and its batch norm may use whole-image statistics",
               tiles.tile);
  TileOptions t = tiles;
  t.multiple = std::lcm(tiles.multiple, multiple);
  t.min_size = std::max(tiles.min_size, multiple);
  return t;
}

}  // namespace

Translator Translator::from_checkpoint(const std::filesystem::path& checkpoint, bool x_to_y, Device device) {
  const training::LoadedGenerators loaded = training::load_generators(checkpoint.string());
  return Translator(loaded.generators, loaded.options.get(), x_to_y, device);
}

Tensor Translator::run(const Tensor& batch) const {
  NoGradScope no_grad;
  const Tensor x = batch.to(device_);
  const Tensor y = x_to_y_ ? generators_->g_xy(x) : generators_->g_yx(x);
  return y.to(Device::cpu()).to(DType::float32);
}

Tensor Translator::to_input(const data::Image& image) const {
  const data::Image converted = image.channels == in_nc_ ? image : data::convert_channels(image, in_nc_);
  const Tensor chw = data::image_to_tensor(converted).to(DType::float32);
  return chw.reshape(Shape({1, chw.size(0), chw.size(1), chw.size(2)}));
}

int64_t Translator::outside_bytes(int64_t width, int64_t height, int64_t n) const {
  return n * width * height * (2 * in_nc_ + 2 * out_nc_) * static_cast<int64_t>(sizeof(float));
}

ExecutionPlan Translator::plan(int64_t width, int64_t height, const TileOptions& tiles) const {
  if (whole_multiple_ > 0) {
    whole_options(tiles, whole_multiple_);
    return ExecutionPlan{};
  }
  const streaming::Axes extent{1, padded_extent(height, tiles), padded_extent(width, tiles)};
  return plan_execution(program_, extent, outside_bytes(width, height, 1), tiles, device_);
}

data::Image Translator::translate(const data::Image& image, const TileOptions& tiles, ExecutionPlan* used) const {
  const ExecutionPlan p = plan(image.width, image.height, tiles);
  if (used != nullptr) *used = p;
  const Tensor x = to_input(image);
  if (whole_multiple_ > 0) {
    const ImageFn fn = [this](const Tensor& t) { return run(t); };
    return data::tensor_to_image(run_whole(x, fn, whole_options(tiles, whole_multiple_)));
  }
  if (!p.tiled) {
    const ImageFn fn = [this](const Tensor& t) { return run(t); };
    return data::tensor_to_image(run_whole(x, fn, tiles));
  }
  const Tensor y = run_tiled(program_, pad_to_multiple(x, tiles), p, device_);
  return data::tensor_to_image(crop_to(y, {image.height, image.width}));
}

std::vector<data::Image> Translator::translate_batch(const std::vector<data::Image>& images, const TileOptions& tiles,
                                                     int64_t* tiled) const {
  std::vector<data::Image> out;
  if (images.empty()) return out;
  const int64_t w = images.front().width, h = images.front().height;
  const int64_t n = static_cast<int64_t>(images.size());
  bool same = true;
  for (const data::Image& im : images) same = same && im.width == w && im.height == h;
  const streaming::Axes extent{1, padded_extent(h, tiles), padded_extent(w, tiles)};
  if (whole_multiple_ > 0 || !same || n == 1 ||
      !batch_fits_whole(program_, extent, n, outside_bytes(w, h, n), tiles, device_)) {
    for (const data::Image& im : images) {
      ExecutionPlan p;
      out.push_back(translate(im, tiles, &p));
      if (tiled != nullptr && p.tiled) ++*tiled;
    }
    return out;
  }
  Tensor batch = Tensor::empty(Shape({n, in_nc_, h, w}));
  const std::size_t per = static_cast<std::size_t>(in_nc_ * h * w);
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(batch.data<float>() + static_cast<std::size_t>(i) * per,
                to_input(images[static_cast<std::size_t>(i)]).data<float>(), per * sizeof(float));
  const ImageFn fn = [this](const Tensor& x) { return run(x); };
  const Tensor y = run_whole(batch, fn, tiles);
  const std::size_t out_per = static_cast<std::size_t>(y.size(1) * h * w);
  for (int64_t i = 0; i < n; ++i) {
    Tensor one = Tensor::empty(Shape({y.size(1), h, w}));
    std::memcpy(one.data<float>(), y.data<float>() + static_cast<std::size_t>(i) * out_per, out_per * sizeof(float));
    out.push_back(data::tensor_to_image(one));
  }
  return out;
}

}  // namespace revgan::infer
