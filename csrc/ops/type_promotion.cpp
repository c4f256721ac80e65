#include <initializer_list>

#include "ops/ops.h"

namespace ag::ops {

namespace {

// 0 bool, 1 integer, 2 floating: a lower-priority operand only matters when
// it brings a higher category.
int category(DType t) {
  return is_floating(t) ? 2 : (t == DType::Bool ? 0 : 1);
}

struct PromotionState {
  std::optional<DType> dimensioned, zero_dim, wrapped;

  void add(const Tensor& t) {
    std::optional<DType>* slot = &dimensioned;
    DType dtype = t.dtype();
    if (t.impl()->is_wrapped_number()) {
      slot = &wrapped;
      // A Python float becomes the default dtype, not double.
      if (is_floating(dtype)) dtype = default_dtype();
    } else if (t.dim() == 0) {
      slot = &zero_dim;
    }
    *slot = slot->has_value() ? promote_types(**slot, dtype) : dtype;
  }
};

std::optional<DType> combine(std::optional<DType> higher,
                             std::optional<DType> lower) {
  if (!higher) return lower;
  if (!lower) return higher;
  if (category(*lower) > category(*higher))
    return promote_types(*higher, *lower);
  return higher;
}

DType result_of(std::initializer_list<const Tensor*> operands) {
  PromotionState state;
  for (const Tensor* t : operands) state.add(*t);
  return *combine(state.dimensioned, combine(state.zero_dim, state.wrapped));
}

}  // namespace

DType result_type(const Tensor& a, const Tensor& b) {
  return result_of({&a, &b});
}

DType result_type(const Tensor& a, const Tensor& b, const Tensor& c) {
  return result_of({&a, &b, &c});
}

}  // namespace ag::ops
