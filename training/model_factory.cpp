// Network construction from options; seeds are derived from options.seed per network so that
// adding a network never shifts another's initial weights.
#include "training/model_factory.hpp"

#include <filesystem>

#include "data/seed.hpp"
#include "engine/io/checkpoint.hpp"
#include "models/resnet_generator.hpp"
#include "models/revgan2d.hpp"
#include "models/revgan3d.hpp"
#include "models/unet_generator.hpp"
#include "training/seeds.hpp"

namespace revgan::training {

namespace {

std::shared_ptr<models::GeneratorPair> build_networks(const TrainOptions& o) {
  const ModelTraits t = model_traits(o.model);
  const uint64_t seed = network_seed(o.seed, SeedStream::generators);
  const reversible::Mode mode = o.memory_saving ? reversible::Mode::memory_saving : reversible::Mode::stored;
  models::GeneratorShape shape;
  shape.input_nc = o.input_nc;
  shape.output_nc = o.output_nc;
  shape.ngf = o.ngf;
  shape.depth = o.depth;
  shape.seed = seed;
  if (t.reversible) {
    models::ReversibleShape rev;
    static_cast<models::GeneratorShape&>(rev) = shape;
    rev.mode = mode;
    rev.coupling = reversible::parse_coupling(o.coupling);
    if (t.dims == 3) {
      models::RevGan3dOptions g;
      static_cast<models::ReversibleShape&>(g) = rev;
      g.instance_norm = o.norm == "instance";
      g.global_residual = o.global_residual;
      return std::make_shared<models::RevGan3d>(g);
    }
    models::RevGan2dOptions g;
    static_cast<models::ReversibleShape&>(g) = rev;
    return std::make_shared<models::RevGan2d>(g);
  }
  if (!o.netG.empty()) {
    models::UnetGeneratorOptions u;
    u.input_nc = o.input_nc;
    u.output_nc = o.output_nc;
    u.ngf = o.ngf;
    u.num_downs = models::unet_num_downs(o.netG);
    u.norm = "batch";
    u.use_dropout = !o.no_dropout;
    u.seed = seed;
    return std::make_shared<models::OneWayUnet>(u);
  }
  models::ResnetGeneratorOptions g;
  static_cast<models::GeneratorShape&>(g) = shape;
  if (t.two_way) return std::make_shared<models::CycleGanGenerators>(g);
  return std::make_shared<models::OneWayGenerator>(g);
}

}  // namespace

std::shared_ptr<models::GeneratorPair> build_generators(const ResolvedOptions& resolved) {
  std::shared_ptr<models::GeneratorPair> g = build_networks(resolved.get());
  g->set_memory_budget(parse_memory_budget(resolved->memory_budget, parse_device(resolved->device)));
  return g;
}

namespace {

models::PatchGanOptions discriminator_options(const TrainOptions& o, bool for_domain_b) {
  const ModelTraits t = model_traits(o.model);
  models::PatchGanOptions d;
  d.arch = models::parse_patchgan_arch(o.netD);
  d.dims = t.dims;
  // Paired: D sees (condition, image); the condition of a domain-B image is the A input.
  d.input_nc = t.paired ? o.input_nc + o.output_nc : (for_domain_b ? o.output_nc : o.input_nc);
  d.ndf = o.ndf;
  d.n_layers = o.n_layers_D;
  d.sigmoid = o.gan_mode == "vanilla";
  d.seed = network_seed(o.seed, for_domain_b ? SeedStream::discriminator_b : SeedStream::discriminator_a);
  return d;
}

}  // namespace

std::shared_ptr<models::PatchGan> build_discriminator(const ResolvedOptions& resolved, bool for_domain_b) {
  return std::make_shared<models::PatchGan>(discriminator_options(resolved.get(), for_domain_b));
}

int64_t smallest_discriminator_input(const ResolvedOptions& resolved) {
  // Both discriminators have the same geometry; only their channel counts differ.
  return models::PatchGan::smallest_input(discriminator_options(resolved.get(), true));
}

namespace {

LoadedGenerators read_generators(const std::string& checkpoint_path) {
  const io::CheckpointMeta meta = io::read_checkpoint_meta(checkpoint_path);
  REVGAN_CHECK(!meta.config.empty(), "'{}' holds no training options (not a revgan_train checkpoint?)",
               checkpoint_path);
  LoadedGenerators out{resolve_options(options_from_json(meta.config)), nullptr};
  out.generators = build_generators(out.options);
  io::CheckpointTargets targets;
  targets.modules.emplace_back(generator_part, out.generators.get());
  io::load_checkpoint(checkpoint_path, targets);
  return out;
}

}  // namespace

LoadedGenerators load_generators(const std::string& checkpoint_path) {
  std::error_code ec;
  REVGAN_CHECK(std::filesystem::is_regular_file(checkpoint_path, ec), "checkpoint '{}' does not exist or is not a file",
               checkpoint_path);
  try {
    return read_generators(checkpoint_path);
  } catch (const Error& e) {
    REVGAN_FAIL("cannot load the generators from '{}' (a checkpoint of another architecture or not from "
                "revgan_train?): {}",
                checkpoint_path, e.message());
  }
}

}  // namespace revgan::training
