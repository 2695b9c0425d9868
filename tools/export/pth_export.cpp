// Export of one network of a training checkpoint through the NameMaps of models/pytorch_names.
#include "tools/export/pth_export.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/io/checkpoint.hpp"
#include "engine/io/pth/module_state.hpp"
#include "models/pytorch_names.hpp"
#include "models/unet_generator.hpp"
#include "training/model_factory.hpp"

namespace revgan::exporting {

namespace {

using models::RevganPart;

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

RevganPart revgan_part(const std::string& net) {
  for (RevganPart p :
       {RevganPart::G_A_enc, RevganPart::G_B_enc, RevganPart::G_core, RevganPart::G_A_dec, RevganPart::G_B_dec})
    if (net == models::revgan_part_name(p)) return p;
  REVGAN_FAIL("'{}' is not a RevGAN generator network", net);
}

ExportedNetwork export_discriminator(const ExportRequest& r, const training::LoadedGenerators& loaded,
                                     const std::string& net) {
  const training::TrainOptions& o = loaded.options.get();
  const bool judges_b = net != "D_B";  // D_A (and pix2pix's D) judge G_A's outputs, domain B
  const std::string part = judges_b ? "D_A" : "D_B";
  auto d = training::build_discriminator(loaded.options, judges_b);
  io::CheckpointTargets targets;
  targets.modules.emplace_back(part, d.get());
  io::load_checkpoint(r.checkpoint, targets);

  ExportedNetwork out{{}, net, o.model, {}};
  const bool revgan = training::model_traits(o.model).reversible;
  const io::pth::NameMap names = r.names == "ours" ? models::identity_names(*d)
                                 : revgan          ? models::revgan_official_patchgan_names(*d)
                                                   : models::pix2pix_patchgan_names(*d);
  out.state = io::pth::export_state_dict(*d, names);
  const models::PatchGanOptions& p = d->options();
  const std::string layers =
      p.arch == models::PatchGanArch::pixel ? std::string() : fmt::format(", n_layers={}", d->n_layers());
  out.description = fmt::format("{}(input_nc={}, ndf={}{}, norm_layer=InstanceNorm2d{}{})",
                                p.arch == models::PatchGanArch::pixel ? "PixelDiscriminator" : "NLayerDiscriminator",
                                p.input_nc, p.ndf, layers, revgan ? " with track_running_stats=True" : "",
                                p.sigmoid && revgan ? ", use_sigmoid=True" : "");
  if (p.sigmoid && !revgan) out.description += "; this model ends in a sigmoid, their network gives its logits";
  return out;
}

}  // namespace

std::vector<std::string> exportable_networks(const std::string& model, const std::string& names) {
  const training::ModelTraits t = training::model_traits(model);
  if (names == "ours")
    return t.two_way ? std::vector<std::string>{"G", "D_A", "D_B"} : std::vector<std::string>{"G", "D_A"};
  REVGAN_CHECK(names == "official", "names must be official or ours, got '{}'", names);
  REVGAN_CHECK(t.dims == 2,
               "model '{}': the PyTorch names of the 3D networks are not verified; export with --names ours", model);
  if (t.reversible) return {"G_A_enc", "G_core", "G_A_dec", "G_B_enc", "G_B_dec", "D_A", "D_B"};
  if (t.two_way) return {"G_A", "G_B", "D_A", "D_B"};
  return {"G", "D"};
}

ExportedNetwork export_network(const ExportRequest& r) {
  const training::LoadedGenerators loaded = training::load_generators(r.checkpoint);
  const training::TrainOptions& o = loaded.options.get();
  const std::vector<std::string> nets = exportable_networks(o.model, r.names);
  const std::string net = r.net.empty() ? nets.front() : r.net;
  REVGAN_CHECK(std::find(nets.begin(), nets.end(), net) != nets.end(),
               "model '{}' with --names {} has no network '{}' (choose one of {})", o.model, r.names, net, join(nets));
  if (net[0] == 'D') return export_discriminator(r, loaded, net);

  ExportedNetwork out{{}, net, o.model, {}};
  models::GeneratorPair& pair = *loaded.generators;
  if (r.names == "ours") {
    out.state = io::pth::export_state_dict(pair, models::identity_names(pair));
    out.description = fmt::format("revgan-engine's {} generators under their own parameter paths", o.model);
  } else if (training::model_traits(o.model).reversible) {
    const auto& g = dynamic_cast<const models::RevGan2d&>(pair);
    out.state = io::pth::export_state_dict(g, models::revgan_official_names(g, revgan_part(net)));
    out.description = fmt::format(
        "the official RevGAN code's {} (--which_model_netG resnet_{}blocks --ngf {} --norm instance, additive "
        "coupling; InstanceNorm with track_running_stats=True, buffers at their initial values)",
        net, o.depth, o.ngf);
  } else if (!o.netG.empty()) {
    const auto& g = dynamic_cast<const models::UnetGenerator&>(pair.submodule("g_xy"));
    out.state = io::pth::export_state_dict(g, models::pix2pix_unet_names(g));
    out.description = fmt::format(
        "pytorch-CycleGAN-and-pix2pix UnetGenerator(input_nc={}, output_nc={}, num_downs={}, ngf={}, "
        "norm_layer=BatchNorm2d, use_dropout={}) (--netG {} --norm batch{})",
        g.options().input_nc, g.options().output_nc, g.options().num_downs, g.options().ngf,
        g.options().use_dropout ? "True" : "False", o.netG, g.options().use_dropout ? "" : " --no_dropout");
  } else {
    const auto& g = dynamic_cast<const models::ResnetGenerator&>(pair.submodule(net == "G_B" ? "g_yx" : "g_xy"));
    out.state = io::pth::export_state_dict(g, models::pix2pix_resnet_names(g));
    out.description = fmt::format(
        "pytorch-CycleGAN-and-pix2pix ResnetGenerator(input_nc={}, output_nc={}, ngf={}, norm_layer=InstanceNorm2d, "
        "use_dropout=False, n_blocks={}) (--netG resnet_{}blocks --norm instance --no_dropout)",
        g.options().input_nc, g.options().output_nc, g.options().ngf, g.options().depth, g.options().depth);
  }
  return out;
}

}  // namespace revgan::exporting
