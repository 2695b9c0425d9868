// Argument checks shared by the ops.
#include "engine/ops/op_support.hpp"

namespace revgan::ops {

void check_defined(OpKind op, std::string_view name, const Tensor& t) {
  REVGAN_CHECK(t.defined(), "{}: argument '{}' is undefined", op_name(op), name);
}

void check_compatible(OpKind op, std::string_view name, const Tensor& t, std::string_view ref_name,
                      const Tensor& ref) {
  check_defined(op, name, t);
  REVGAN_CHECK(t.device() == ref.device(), "{}: '{}' is on {} but '{}' is on {}", op_name(op), name,
               t.device().str(), ref_name, ref.device().str());
  REVGAN_CHECK(t.dtype() == ref.dtype(), "{}: '{}' is {} but '{}' is {}", op_name(op), name, dtype_name(t.dtype()),
               ref_name, dtype_name(ref.dtype()));
}

void check_same_shape(OpKind op, std::string_view name, const Tensor& t, std::string_view ref_name,
                      const Tensor& ref) {
  check_compatible(op, name, t, ref_name, ref);
  REVGAN_CHECK(t.shape() == ref.shape(), "{}: '{}' has shape {} but '{}' has shape {}", op_name(op), name,
               t.shape().str(), ref_name, ref.shape().str());
}

void check_rank(OpKind op, std::string_view name, const Tensor& t, int lo, int hi) {
  check_defined(op, name, t);
  REVGAN_CHECK(t.dim() >= lo && t.dim() <= hi, "{}: '{}' must have rank {} to {}, got {}", op_name(op), name, lo,
               hi, t.shape().str());
}

}  // namespace revgan::ops
