// Coupling kinds by name, and the block of each kind.
#include "engine/reversible/coupling_kind.hpp"

#include "engine/core/check.hpp"
#include "engine/reversible/additive_coupling.hpp"
#include "engine/reversible/affine_coupling.hpp"

namespace revgan::reversible {

CouplingKind parse_coupling(const std::string& name) {
  if (name == "additive") return CouplingKind::additive;
  if (name == "affine") return CouplingKind::affine;
  REVGAN_FAIL("coupling must be additive or affine, got '{}'", name);
}

std::string_view coupling_name(CouplingKind kind) { return kind == CouplingKind::affine ? "affine" : "additive"; }

int64_t branch_output_channels(CouplingKind kind, int64_t half_channels) {
  return kind == CouplingKind::affine ? 2 * half_channels : half_channels;
}

std::shared_ptr<Coupling> make_coupling(CouplingKind kind, std::shared_ptr<nn::Module> f,
                                        std::shared_ptr<nn::Module> g) {
  if (kind == CouplingKind::affine) return std::make_shared<AffineCoupling>(std::move(f), std::move(g));
  return std::make_shared<AdditiveCoupling>(std::move(f), std::move(g));
}

}  // namespace revgan::reversible
