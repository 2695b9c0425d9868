// --init_from: which of our generator types takes which PyTorch files, and the strict loads.
#include "models/pytorch_init.hpp"

#include <fmt/format.h>

#include "engine/io/pth/module_state.hpp"
#include "engine/io/pth/pth_reader.hpp"
#include "models/pytorch_names.hpp"
#include "models/resnet_generator.hpp"
#include "models/revgan2d.hpp"
#include "models/unet_generator.hpp"

namespace revgan::models {

namespace {

void load_resnet(GeneratorPair& pair, const std::string& part, const std::filesystem::path& file) {
  const auto& g = dynamic_cast<const ResnetGenerator&>(pair.submodule(part));
  const io::pth::PthContents contents = io::pth::read_pth(file.string());
  io::pth::load_state_dict(
      pair, contents.state, pix2pix_resnet_names(g, part + "."), file.string(),
      fmt::format("--init_from: our {} is a ResnetGenerator with --ngf {} and {} blocks", part, g.options().ngf,
                  g.options().depth));
}

}  // namespace

std::optional<std::filesystem::path> revgan_official_prefix(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  for (const char* part : {"G_core", "G_A_enc", "G_A_dec", "G_B_enc", "G_B_dec"}) {
    const std::string suffix = fmt::format("_net_{}.pth", part);
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      return path.parent_path() / name.substr(0, name.size() - suffix.size());
  }
  return std::nullopt;
}

void init_generators_from_pth(GeneratorPair& generators, const std::filesystem::path& file) {
  if (dynamic_cast<OneWayGenerator*>(&generators) != nullptr) {
    load_resnet(generators, "g_xy", file);
    return;
  }
  if (dynamic_cast<OneWayUnet*>(&generators) != nullptr) {
    const auto& g = dynamic_cast<const UnetGenerator&>(generators.submodule("g_xy"));
    const io::pth::PthContents contents = io::pth::read_pth(file.string());
    io::pth::load_state_dict(generators, contents.state, pix2pix_unet_names(g, "g_xy."), file.string(),
                             fmt::format("--init_from: our G is a UnetGenerator with num_downs {}, --ngf {}, "
                                         "--input_nc {}, --output_nc {}, --norm {}",
                                         g.options().num_downs, g.options().ngf, g.options().input_nc,
                                         g.options().output_nc, g.options().norm));
    return;
  }
  if (dynamic_cast<CycleGanGenerators*>(&generators) != nullptr) {
    const std::string name = file.filename().string();
    const std::size_t at = name.rfind("G_A");
    REVGAN_CHECK(at != std::string::npos,
                 "--init_from '{}': a CycleGAN starts from both generators; pass the G_A file (latest_net_G_A.pth), "
                 "its G_B sibling is read from the same folder",
                 file.string());
    load_resnet(generators, "g_xy", file);
    load_resnet(generators, "g_yx", file.parent_path() / (name.substr(0, at) + "G_B" + name.substr(at + 3)));
    return;
  }
  if (auto* revgan = dynamic_cast<RevGan2d*>(&generators)) {
    const auto prefix = revgan_official_prefix(file);
    REVGAN_CHECK(prefix.has_value(),
                 "--init_from '{}': a RevGAN starts from the official RevGAN code's five generator files; pass one "
                 "of them (<epoch>_net_G_core.pth, _G_A_enc, _G_A_dec, _G_B_enc, _G_B_dec)",
                 file.string());
    for (const RevganPart part :
         {RevganPart::G_A_enc, RevganPart::G_B_enc, RevganPart::G_core, RevganPart::G_A_dec, RevganPart::G_B_dec}) {
      const std::string path = fmt::format("{}_net_{}.pth", prefix->string(), revgan_part_name(part));
      io::pth::load_state_dict(*revgan, io::pth::read_pth(path).state, revgan_official_names(*revgan, part), path,
                               fmt::format("--init_from: the official RevGAN {} of our model", revgan_part_name(part)));
    }
    return;
  }
  REVGAN_FAIL("--init_from '{}': the {} generators have no PyTorch counterpart to start from (pix2pix, cyclegan and "
              "the 2D RevGAN models do)",
              file.string(), generators.type_name());
}

}  // namespace revgan::models
