// Programs of the generator types, step for step as their g_xy / g_yx run them.
#include "models/generator_program.hpp"

#include "models/blocks.hpp"
#include "models/resnet_generator.hpp"
#include "models/revgan2d.hpp"
#include "models/revgan3d.hpp"

namespace revgan::models {

namespace {

// enc -> residual blocks -> dec (ResnetGenerator::forward).
void append_resnet(streaming::Program& p, nn::Module& g) {
  p.steps.push_back(streaming::chain_step(g.submodule("enc")));
  std::vector<nn::Module*> branches;
  for (const auto& [name, block] : g.submodule("blocks").children()) {
    REVGAN_CHECK(dynamic_cast<ResidualBlock*>(block.get()) != nullptr,
                 "generator program: block {} of a ResNet generator is a {}", name, block->type_name());
    branches.push_back(&block->submodule("f"));
  }
  p.steps.push_back(streaming::residual_step(branches));
  p.steps.push_back(streaming::chain_step(g.submodule("dec")));
}

// enc -> core (forward or inverse) -> dec, for both RevGAN types.
template <class RevGan>
void append_revgan(streaming::Program& p, RevGan& g, bool x_to_y) {
  p.steps.push_back(streaming::chain_step(x_to_y ? g.enc_x() : g.enc_y()));
  p.steps.push_back(streaming::reversible_step(g.core(), !x_to_y));
  p.steps.push_back(streaming::chain_step(x_to_y ? g.dec_y() : g.dec_x()));
}

}  // namespace

streaming::Program generator_program(GeneratorPair& generators, bool x_to_y) {
  streaming::Program p;
  if (auto* g = dynamic_cast<RevGan2d*>(&generators)) {
    append_revgan(p, *g, x_to_y);
  } else if (auto* g3 = dynamic_cast<RevGan3d*>(&generators)) {
    REVGAN_CHECK(g3->options().output_size.empty(),
                 "generator program: a RevGan3d that up-samples inside its forward has no streamed form");
    append_revgan(p, *g3, x_to_y);
  } else if (auto* pair = dynamic_cast<CycleGanGenerators*>(&generators)) {
    append_resnet(p, x_to_y ? static_cast<nn::Module&>(pair->xy()) : static_cast<nn::Module&>(pair->yx()));
  } else if (dynamic_cast<OneWayGenerator*>(&generators) != nullptr) {
    REVGAN_CHECK(x_to_y, "pix2pix has a single generator (input -> output); the reverse direction does not exist");
    append_resnet(p, generators.submodule("g_xy"));
  } else {
    REVGAN_FAIL("generator program: no program for a {}", generators.type_name());
  }
  streaming::finish_program(p);
  return p;
}

bool adds_input(const GeneratorPair& generators) {
  const auto* g3 = dynamic_cast<const RevGan3d*>(&generators);
  return g3 != nullptr && g3->options().global_residual;
}

}  // namespace revgan::models
