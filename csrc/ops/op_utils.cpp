#include "ops/op_utils.h"

namespace ag::ops {

Tensor cast_data(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype) return t;
  Tensor out = empty_tensor(t.sizes(), dtype);
  kernels::copy(t, out);
  if (t.impl()->is_wrapped_number()) out.impl()->set_wrapped_number(true);
  return out;
}

Tensor clone_data(const Tensor& t) {
  Tensor out = empty_tensor(t.sizes(), t.dtype());
  kernels::copy(t, out);
  return out;
}

void check_no_internal_overlap(const Tensor& self) {
  for (int64_t d = 0; d < self.dim(); ++d) {
    AG_CHECK(!(self.strides()[static_cast<size_t>(d)] == 0 &&
               self.sizes()[static_cast<size_t>(d)] > 1),
             "unsupported operation: more than one element of the written-to "
             "tensor refers to a single memory location. Please clone() the "
             "tensor before performing the operation.");
  }
}

void check_inplace_dtype(const Tensor& self, DType result, const char* op) {
  AG_CHECK(promote_types(self.dtype(), result) == self.dtype() ||
               (is_floating(self.dtype()) && is_floating(result)),
           "result type ", dtype_legacy_name(result),
           " can't be cast to the desired output type ",
           dtype_legacy_name(self.dtype()), " (in ", op, ")");
}

}  // namespace ag::ops
