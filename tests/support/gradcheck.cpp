// Central-difference gradient checks over every element of every differentiable input.
#include "tests/support/gradcheck.hpp"

#include "engine/autograd/backward.hpp"
#include "engine/autograd/grad_mode.hpp"
#include "tests/support/random_tensor.hpp"

namespace revgan::test {

bool GradcheckResult::ok() const {
  if (per_input.empty()) return false;
  for (const auto& c : per_input)
    if (!c.ok) return false;
  return true;
}

std::string GradcheckResult::report() const {
  std::string out;
  for (std::size_t i = 0; i < per_input.size(); ++i) out += fmt::format("input {}: {}\n", i, per_input[i].report());
  return out;
}

namespace {
double weighted_sum(const std::vector<Tensor>& ys, const std::vector<Tensor>& ws) {
  double s = 0;
  for (std::size_t k = 0; k < ys.size(); ++k) {
    auto y = ys[k].to_vector();
    auto w = ws[k].to_vector();
    for (std::size_t i = 0; i < y.size(); ++i) s += y[i] * w[i];
  }
  return s;
}
}  // namespace

GradcheckResult gradcheck(const MultiFunction& f, const std::vector<Tensor>& inputs,
                          const std::vector<bool>& differentiable, double step, double allowed) {
  std::vector<Tensor> leaves;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    REVGAN_CHECK(inputs[i].dtype() == DType::float64, "gradcheck: input {} must be float64", i);
    Tensor leaf = inputs[i].clone();
    if (differentiable[i]) leaf.set_requires_grad(true);
    leaves.push_back(leaf);
  }
  std::vector<Tensor> ys = f(leaves);
  std::vector<Tensor> ws;
  for (std::size_t k = 0; k < ys.size(); ++k) ws.push_back(random_normal(ys[k].shape(), 1000 + k));
  run_backward(ys, ws, false);

  GradcheckResult result;
  NoGradScope no_grad;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!differentiable[i]) continue;
    std::vector<double> numeric(static_cast<std::size_t>(inputs[i].numel()));
    std::vector<Tensor> probe;
    for (const Tensor& t : inputs) probe.push_back(t.clone());
    double* p = probe[i].data<double>();
    for (std::size_t e = 0; e < numeric.size(); ++e) {
      double saved = p[e];
      p[e] = saved + step;
      double plus = weighted_sum(f(probe), ws);
      p[e] = saved - step;
      double minus = weighted_sum(f(probe), ws);
      p[e] = saved;
      numeric[e] = (plus - minus) / (2 * step);
    }
    const Tensor& g = leaves[i].grad();
    std::vector<double> analytic = g.defined() ? g.to_vector() : std::vector<double>(numeric.size(), 0.0);
    result.per_input.push_back(compare(analytic, numeric, allowed));
  }
  return result;
}

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& inputs, const std::vector<bool>& differentiable, double step,
                          double allowed) {
  return gradcheck(MultiFunction([&](const std::vector<Tensor>& x) { return std::vector<Tensor>{f(x)}; }), inputs,
                   differentiable, step, allowed);
}

}  // namespace revgan::test
