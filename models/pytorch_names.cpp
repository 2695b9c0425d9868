// NameMaps built by walking our Sequential chains next to the reference networks' indices.
#include "models/pytorch_names.hpp"

#include <fmt/format.h>

#include "engine/nn/layers.hpp"
#include "models/unet_generator.hpp"

namespace revgan::models {

namespace {

using io::pth::NameMap;

// Maps the layers of `seq` (our path `ours`, with the trailing dot) onto "<theirs><j + offset>."
// in the reference's Sequential: convolutions by weight and bias, instance norms as norm
// buffers sized by the preceding convolution; other layers hold nothing. A layer kind this
// walk does not know is an error: it would otherwise be exported without its weights.
void map_sequential(const nn::Module& seq, const std::string& ours, const std::string& theirs, int64_t offset,
                    NameMap& out) {
  REVGAN_CHECK(dynamic_cast<const nn::Sequential*>(&seq) != nullptr, "pytorch names: '{}' is a {}, not a Sequential",
               ours, seq.type_name());
  int64_t channels = 0;
  for (const auto& [name, child] : seq.children()) {
    const std::string from = ours + name + ".";
    const std::string to = fmt::format("{}{}.", theirs, std::stoll(name) + offset);
    if (const auto* conv = dynamic_cast<const nn::Conv*>(child.get())) {
      channels = conv->out_channels();
    } else if (const auto* up = dynamic_cast<const nn::ConvTranspose*>(child.get())) {
      channels = up->out_channels();
    } else if (dynamic_cast<const nn::InstanceNorm*>(child.get()) != nullptr) {
      out.norms.push_back({to, channels});
      continue;
    }
    for (const auto& [param, _] : child->direct_parameters()) out.add(from + param, to + param);
    REVGAN_CHECK(child->children().empty(), "pytorch names: '{}' ({}) has sub-modules this mapping does not know", from,
                 child->type_name());
    REVGAN_CHECK(child->direct_parameters().empty() || dynamic_cast<const nn::Conv*>(child.get()) ||
                     dynamic_cast<const nn::ConvTranspose*>(child.get()),
                 "pytorch names: '{}' ({}) has parameters this mapping does not know", from, child->type_name());
  }
}

// The descendant at dotted `path` (children() is const where Module::submodule is not).
const nn::Module& descendant(const nn::Module& root, const std::string& path) {
  const nn::Module* m = &root;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = std::min(path.find('.', start), path.size());
    const std::string name = path.substr(start, dot - start);
    const nn::Module* next = nullptr;
    for (const auto& [child_name, child] : m->children())
      if (child_name == name) next = child.get();
    REVGAN_CHECK(next != nullptr, "pytorch names: no module '{}' in {}", path, root.type_name());
    m = next;
    start = dot + 1;
  }
  return *m;
}

}  // namespace

io::pth::NameMap pix2pix_resnet_names(const ResnetGenerator& g, const std::string& ours) {
  NameMap out;
  // Their Sequential "model": 10 encoder layers (pad, conv, norm, relu, then twice conv, norm,
  // relu), one ResnetBlock per residual block, then the decoder layers.
  const nn::Module& enc = descendant(g, "enc");
  map_sequential(enc, ours + "enc.", "model.", 0, out);
  const int64_t first_block = static_cast<int64_t>(enc.children().size());
  const int64_t depth = g.options().depth;
  for (int64_t b = 0; b < depth; ++b)
    map_sequential(descendant(g, fmt::format("blocks.{}.f", b)), fmt::format("{}blocks.{}.f.", ours, b),
                   fmt::format("model.{}.conv_block.", first_block + b), 0, out);
  map_sequential(descendant(g, "dec"), ours + "dec.", "model.", first_block + depth, out);
  return out;
}

io::pth::NameMap pix2pix_patchgan_names(const PatchGan& d, const std::string& ours) {
  NameMap out;
  // NLayerDiscriminator keeps its layers in `model`, PixelDiscriminator in `net`, as ours do.
  const std::string body = d.body_name();
  map_sequential(descendant(d, body), ours + body + ".", body + ".", 0, out);
  return out;
}

const char* revgan_part_name(RevganPart part) {
  switch (part) {
    case RevganPart::G_A_enc:
      return "G_A_enc";
    case RevganPart::G_B_enc:
      return "G_B_enc";
    case RevganPart::G_core:
      return "G_core";
    case RevganPart::G_A_dec:
      return "G_A_dec";
    case RevganPart::G_B_dec:
      return "G_B_dec";
  }
  return "?";
}

io::pth::NameMap revgan_official_names(const RevGan2d& g, RevganPart part) {
  NameMap out;
  out.write_running_stats = true;
  switch (part) {
    case RevganPart::G_A_enc:
      map_sequential(descendant(g, "enc_x"), "enc_x.", "model.", 0, out);
      break;
    case RevganPart::G_B_enc:
      map_sequential(descendant(g, "enc_y"), "enc_y.", "model.", 0, out);
      break;
    case RevganPart::G_A_dec:
      map_sequential(descendant(g, "dec_y"), "dec_y.", "model.", 0, out);
      break;
    case RevganPart::G_B_dec:
      map_sequential(descendant(g, "dec_x"), "dec_x.", "model.", 0, out);
      break;
    case RevganPart::G_core:
      // ReversibleResnetBlock.rev_block (memcnn ReversibleBlock) .rev_block (AdditiveBlock) .Fm / .Gm,
      // with y1 = x1 + Fm(x2), y2 = x2 + Gm(y1): our F and G.
      for (int64_t b = 0; b < g.options().depth; ++b)
        for (const char* branch : {"f", "g"})
          map_sequential(descendant(g, fmt::format("core.{}.{}", b, branch)), fmt::format("core.{}.{}.", b, branch),
                         fmt::format("model.{}.rev_block.rev_block.{}.", b, branch[0] == 'f' ? "Fm" : "Gm"), 0, out);
      break;
  }
  return out;
}

io::pth::NameMap revgan_official_patchgan_names(const PatchGan& d, const std::string& ours) {
  NameMap out = pix2pix_patchgan_names(d, ours);
  out.write_running_stats = true;
  return out;
}

io::pth::NameMap pix2pix_unet_names(const UnetGenerator& g, const std::string& ours) {
  NameMap out;
  // Our module tree is theirs (UnetGenerator.model -> UnetSkipConnectionBlock.model ->
  // Sequential indices), so every path maps to itself; the walk still checks each layer kind.
  for (const auto& [path, m] : const_cast<UnetGenerator&>(g).named_modules()) {
    const std::string prefix = path.empty() ? std::string() : path + ".";
    if (dynamic_cast<const nn::Conv*>(m) || dynamic_cast<const nn::ConvTranspose*>(m)) {
      for (const auto& [param, _] : m->direct_parameters()) out.add(ours + prefix + param, prefix + param);
    } else if (dynamic_cast<const nn::BatchNorm*>(m)) {
      for (const auto& [param, _] : m->direct_parameters()) out.add(ours + prefix + param, prefix + param);
      for (const char* b : {"running_mean", "running_var", "num_batches_tracked"})
        out.add_buffer(ours + prefix + b, prefix + b);
    } else {
      REVGAN_CHECK(m->direct_parameters().empty(), "pytorch names: '{}' ({}) has parameters this mapping does not know",
                   path, m->type_name());
    }
  }
  return out;
}

io::pth::NameMap identity_names(const nn::Module& module) {
  NameMap out;
  for (const auto& [name, _] : module.named_parameters()) out.add(name, name);
  return out;
}

}  // namespace revgan::models
