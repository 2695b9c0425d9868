// Which coupling a reversible block uses, by name (--coupling additive|affine), and the block
// of that kind over given branch networks. An affine block's branches output twice the channels
// of their input (a scale logit and a shift per channel); branch_output_channels says how many.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/reversible/coupling.hpp"

namespace revgan::reversible {

enum class CouplingKind { additive, affine };

CouplingKind parse_coupling(const std::string& name);  // throws naming the choices
std::string_view coupling_name(CouplingKind kind);
int64_t branch_output_channels(CouplingKind kind, int64_t half_channels);
std::shared_ptr<Coupling> make_coupling(CouplingKind kind, std::shared_ptr<nn::Module> f,
                                        std::shared_ptr<nn::Module> g);

}  // namespace revgan::reversible
