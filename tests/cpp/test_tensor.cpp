// Tensors and ops through the C++ API: factories, element access, views,
// broadcasting, reductions, matmul and type promotion.

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/tensor.h"
#include "ops/ops.h"
#include "test_util.h"

namespace ag {
namespace {

using ::ag::testing::make_tensor;
using ::ag::testing::message_of;
using ::ag::testing::sizes_of;
using ::ag::testing::values_of;
using V = std::vector<int64_t>;

TEST(Factories, ZerosOnesFull) {
  Tensor z = ops::zeros({2, 3}, DType::Float32);
  EXPECT_EQ(sizes_of(z), (V{2, 3}));
  EXPECT_EQ(z.dtype(), DType::Float32);
  EXPECT_EQ(z.numel(), 6);
  EXPECT_TRUE(z.is_contiguous());
  EXPECT_EQ(values_of<float>(z), std::vector<float>(6, 0.0f));

  Tensor o = ops::ones({4}, DType::Int64);
  EXPECT_EQ(values_of<int64_t>(o), std::vector<int64_t>(4, 1));

  Tensor f = ops::full({2, 2}, Scalar(2.5), DType::Float64);
  EXPECT_EQ(values_of<double>(f), std::vector<double>(4, 2.5));

  Tensor b = ops::full({3}, Scalar(true), DType::Bool);
  EXPECT_EQ(values_of<bool>(b), std::vector<bool>(3, true));

  Tensor empty = ops::zeros({0, 3}, DType::Float32);
  EXPECT_EQ(empty.numel(), 0);
  EXPECT_EQ(sizes_of(empty), (V{0, 3}));

  Tensor scalar = ops::full({}, Scalar(int64_t{7}), DType::Int32);
  EXPECT_EQ(scalar.dim(), 0);
  EXPECT_EQ(scalar.numel(), 1);
  EXPECT_EQ(scalar.item().to<int64_t>(), 7);
}

TEST(Factories, Arange) {
  Tensor a = ops::arange(Scalar(int64_t{0}), Scalar(int64_t{5}),
                         Scalar(int64_t{1}), std::nullopt);
  EXPECT_EQ(a.dtype(), DType::Int64);
  EXPECT_EQ(values_of<int64_t>(a), (std::vector<int64_t>{0, 1, 2, 3, 4}));

  Tensor stepped = ops::arange(Scalar(int64_t{1}), Scalar(int64_t{10}),
                               Scalar(int64_t{3}), std::nullopt);
  EXPECT_EQ(values_of<int64_t>(stepped), (std::vector<int64_t>{1, 4, 7}));

  Tensor down = ops::arange(Scalar(int64_t{5}), Scalar(int64_t{0}),
                            Scalar(int64_t{-2}), std::nullopt);
  EXPECT_EQ(values_of<int64_t>(down), (std::vector<int64_t>{5, 3, 1}));

  // A float argument gives the default dtype, float32.
  Tensor fl = ops::arange(Scalar(0.0), Scalar(1.0), Scalar(0.25), std::nullopt);
  EXPECT_EQ(fl.dtype(), DType::Float32);
  EXPECT_EQ(values_of<float>(fl),
            (std::vector<float>{0.0f, 0.25f, 0.5f, 0.75f}));

  Tensor as_double = ops::arange(Scalar(int64_t{0}), Scalar(int64_t{3}),
                                 Scalar(int64_t{1}), DType::Float64);
  EXPECT_EQ(values_of<double>(as_double), (std::vector<double>{0, 1, 2}));

  EXPECT_THROW(ops::arange(Scalar(int64_t{0}), Scalar(int64_t{3}),
                           Scalar(int64_t{0}), std::nullopt),
               Error);
}

TEST(Factories, Eye) {
  Tensor sq = ops::eye(3, 3, DType::Float32);
  EXPECT_EQ(sizes_of(sq), (V{3, 3}));
  EXPECT_EQ(values_of<float>(sq),
            (std::vector<float>{1, 0, 0, 0, 1, 0, 0, 0, 1}));
  Tensor rect = ops::eye(2, 3, DType::Int64);
  EXPECT_EQ(values_of<int64_t>(rect), (std::vector<int64_t>{1, 0, 0, 0, 1, 0}));
  Tensor tall = ops::eye(3, 2, DType::Float64);
  EXPECT_EQ(values_of<double>(tall), (std::vector<double>{1, 0, 0, 1, 0, 0}));
}

TEST(ElementAccess, DataPtrReadsAndWrites) {
  Tensor t = ops::zeros({2, 3}, DType::Float32);
  float* p = t.data_ptr<float>();
  for (int i = 0; i < 6; ++i) p[i] = static_cast<float>(i) * 1.5f;
  EXPECT_FLOAT_EQ(t.data_ptr<float>()[4], 6.0f);
  EXPECT_EQ(t.stride(0), 3);
  EXPECT_EQ(t.stride(1), 1);
  EXPECT_EQ(t.size(-1), 3);
  // Element [1, 2] through the strides.
  EXPECT_FLOAT_EQ(p[1 * t.stride(0) + 2 * t.stride(1)], 7.5f);

  Tensor i = make_tensor<int64_t>({10, 20, 30}, {3});
  EXPECT_EQ(i.data_ptr<int64_t>()[2], 30);
}

TEST(ElementAccess, WrongTypeThrows) {
  Tensor t = ops::zeros({2}, DType::Float32);
  EXPECT_EQ(message_of<Error>([&] { t.data_ptr<int64_t>(); }),
            "expected scalar type Long but found Float");
  EXPECT_THROW(t.data_ptr<double>(), Error);
  EXPECT_THROW(t.item(), Error);
  EXPECT_THROW(t.size(2), IndexError);
}

TEST(Views, ShareStorageAndVersionCounter) {
  Tensor base = ops::arange(Scalar(int64_t{0}), Scalar(int64_t{6}),
                            Scalar(int64_t{1}), DType::Float32);
  Tensor v = ops::view(base, {2, 3});
  EXPECT_EQ(sizes_of(v), (V{2, 3}));
  EXPECT_EQ(v.impl()->storage(), base.impl()->storage());
  EXPECT_EQ(v.raw_data(), base.raw_data());
  EXPECT_EQ(v.impl()->version_counter(), base.impl()->version_counter());

  // A write through the view is seen by the base...
  v.data_ptr<float>()[4] = 40.0f;
  EXPECT_FLOAT_EQ(base.data_ptr<float>()[4], 40.0f);

  // ...and an in-place op on the view bumps the base's version.
  const uint32_t before = base.impl()->version();
  ops::add_(v, ops::ones({2, 3}, DType::Float32));
  EXPECT_EQ(base.impl()->version(), before + 1);
  EXPECT_EQ(v.impl()->version(), before + 1);
  EXPECT_EQ(values_of<float>(base), (std::vector<float>{1, 2, 3, 4, 41, 6}));

  // A transposed view and a selected row alias the same memory.
  Tensor tr = ops::t(v);
  EXPECT_FALSE(tr.is_contiguous());
  EXPECT_EQ(sizes_of(tr), (V{3, 2}));
  EXPECT_EQ(tr.strides().vec(), (V{1, 3}));
  EXPECT_EQ(values_of<float>(tr), (std::vector<float>{1, 4, 2, 41, 3, 6}));

  Tensor row = ops::select(v, 0, 1);
  EXPECT_EQ(sizes_of(row), (V{3}));
  Tensor twos = ops::full({3}, Scalar(2.0), DType::Float32);
  ops::mul_(row, twos);
  EXPECT_EQ(base.impl()->version(), before + 2);
  EXPECT_EQ(values_of<float>(base), (std::vector<float>{1, 2, 3, 8, 82, 12}));

  // A clone does not share the version counter.
  Tensor c = ops::clone(base);
  ops::add_(c, ops::ones({6}, DType::Float32));
  EXPECT_EQ(base.impl()->version(), before + 2);
  EXPECT_EQ(values_of<float>(base), (std::vector<float>{1, 2, 3, 8, 82, 12}));
}

TEST(Views, SliceViewWritesReachBase) {
  Tensor base = ops::zeros({6}, DType::Int64);
  Tensor odd = ops::slice(base, 0, 1, std::nullopt, 2);
  EXPECT_EQ(sizes_of(odd), (V{3}));
  EXPECT_EQ(odd.strides().vec(), (V{2}));
  ops::fill_(odd, Scalar(int64_t{5}));
  EXPECT_EQ(values_of<int64_t>(base), (std::vector<int64_t>{0, 5, 0, 5, 0, 5}));
  EXPECT_EQ(base.impl()->version(), 1u);
}

TEST(Views, ViewOfTransposeFailsReshapeCopies) {
  Tensor a = ops::view(ops::arange(Scalar(int64_t{0}), Scalar(int64_t{6}),
                                   Scalar(int64_t{1}), DType::Float32),
                       {2, 3});
  Tensor tr = ops::t(a);
  const std::string msg = message_of<Error>([&] { ops::view(tr, {6}); });
  EXPECT_NE(msg.find("view size is not compatible"), std::string::npos) << msg;
  Tensor r = ops::reshape(tr, {6});
  EXPECT_EQ(values_of<float>(r), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  EXPECT_NE(r.impl()->storage(), a.impl()->storage());
}

TEST(Broadcasting, AddWithTransposedInput) {
  // a^T is [[0, 3], [1, 4], [2, 5]] (non-contiguous); b broadcasts over rows.
  Tensor a = ops::view(ops::arange(Scalar(int64_t{0}), Scalar(int64_t{6}),
                                   Scalar(int64_t{1}), DType::Float32),
                       {2, 3});
  Tensor at = ops::t(a);
  ASSERT_FALSE(at.is_contiguous());
  Tensor b = make_tensor<float>({10, 20}, {2});
  Tensor out = ops::add(at, b);
  EXPECT_EQ(sizes_of(out), (V{3, 2}));
  EXPECT_EQ(out.dtype(), DType::Float32);
  EXPECT_EQ(values_of<float>(out),
            (std::vector<float>{10, 23, 11, 24, 12, 25}));

  // Column vector + transposed matrix: [3, 1] + [3, 2].
  Tensor col = make_tensor<float>({100, 200, 300}, {3, 1});
  EXPECT_EQ(values_of<float>(ops::add(col, at)),
            (std::vector<float>{100, 103, 201, 204, 302, 305}));

  // alpha scales the second operand.
  EXPECT_EQ(values_of<float>(ops::add(at, b, Scalar(int64_t{2}))),
            (std::vector<float>{20, 43, 21, 44, 22, 45}));

  // Outer-product-like broadcast: [3, 1] * [2] -> [3, 2].
  Tensor prod = ops::mul(col, b);
  EXPECT_EQ(sizes_of(prod), (V{3, 2}));
  EXPECT_EQ(values_of<float>(prod),
            (std::vector<float>{1000, 2000, 2000, 4000, 3000, 6000}));
}

TEST(Broadcasting, MismatchThrows) {
  Tensor a = ops::zeros({2, 3}, DType::Float32);
  Tensor b = ops::zeros({2, 4}, DType::Float32);
  EXPECT_EQ(message_of<Error>([&] { ops::add(a, b); }),
            "The size of tensor a (3) must match the size of tensor b (4) at "
            "non-singleton dimension 1");
}

TEST(Reductions, SumOverDimsWithKeepdim) {
  Tensor x = ops::view(ops::arange(Scalar(int64_t{0}), Scalar(int64_t{24}),
                                   Scalar(int64_t{1}), DType::Float32),
                       {2, 3, 4});
  Tensor s1 = ops::sum(x, {1}, /*keepdim=*/true);
  EXPECT_EQ(sizes_of(s1), (V{2, 1, 4}));
  EXPECT_EQ(values_of<float>(s1),
            (std::vector<float>{12, 15, 18, 21, 48, 51, 54, 57}));

  Tensor s1n = ops::sum(x, {1}, /*keepdim=*/false);
  EXPECT_EQ(sizes_of(s1n), (V{2, 4}));
  EXPECT_EQ(values_of<float>(s1n), values_of<float>(s1));

  Tensor s02 = ops::sum(x, {0, 2}, /*keepdim=*/false);
  EXPECT_EQ(sizes_of(s02), (V{3}));
  // Row r of both blocks: sum of 4 values in block 0 plus block 1.
  EXPECT_EQ(values_of<float>(s02), (std::vector<float>{60, 92, 124}));

  Tensor s02k = ops::sum(x, {0, -1}, /*keepdim=*/true);
  EXPECT_EQ(sizes_of(s02k), (V{1, 3, 1}));
  EXPECT_EQ(values_of<float>(s02k), (std::vector<float>{60, 92, 124}));

  Tensor all = ops::sum(x);
  EXPECT_EQ(all.dim(), 0);
  EXPECT_DOUBLE_EQ(all.item().to<double>(), 276.0);

  // Integer sums promote to int64, like PyTorch.
  Tensor ints = make_tensor<int32_t>({1, 2, 3, 4}, {2, 2});
  Tensor si = ops::sum(ints, {0}, false);
  EXPECT_EQ(si.dtype(), DType::Int64);
  EXPECT_EQ(values_of<int64_t>(si), (std::vector<int64_t>{4, 6}));

  EXPECT_THROW(ops::sum(x, {3}, false), IndexError);
}

TEST(Reductions, SumOfTransposedView) {
  Tensor a = ops::view(ops::arange(Scalar(int64_t{0}), Scalar(int64_t{6}),
                                   Scalar(int64_t{1}), DType::Float64),
                       {2, 3});
  Tensor s = ops::sum(ops::t(a), {1}, /*keepdim=*/false);
  EXPECT_EQ(values_of<double>(s), (std::vector<double>{3, 5, 7}));
}

template <typename T>
void check_small_matmul(DType dtype) {
  // [[1, 2, 3], [4, 5, 6]] @ [[7, 8], [9, 10], [11, 12]]
  Tensor a = make_tensor<T>({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = make_tensor<T>({7, 8, 9, 10, 11, 12}, {3, 2});
  Tensor c = ops::matmul(a, b);
  EXPECT_EQ(c.dtype(), dtype);
  EXPECT_EQ(sizes_of(c), (V{2, 2}));
  EXPECT_EQ(values_of<T>(c), (std::vector<T>{58, 64, 139, 154}));

  // Transposed operands: b^T @ a^T = (a @ b)^T.
  Tensor ct = ops::matmul(ops::t(b), ops::t(a));
  EXPECT_EQ(values_of<T>(ct), (std::vector<T>{58, 139, 64, 154}));

  // Matrix @ vector and vector @ vector.
  Tensor v = make_tensor<T>({1, 0, -1}, {3});
  Tensor mv = ops::matmul(a, v);
  EXPECT_EQ(sizes_of(mv), (V{2}));
  EXPECT_EQ(values_of<T>(mv), (std::vector<T>{-2, -2}));
  Tensor dot = ops::matmul(v, make_tensor<T>({4, 5, 6}, {3}));
  EXPECT_EQ(dot.dim(), 0);
  EXPECT_EQ(values_of<T>(dot), (std::vector<T>{-2}));

  // Vector @ matrix.
  Tensor w = make_tensor<T>({1, 1}, {2});
  Tensor vm = ops::matmul(w, a);
  EXPECT_EQ(sizes_of(vm), (V{3}));
  EXPECT_EQ(values_of<T>(vm), (std::vector<T>{5, 7, 9}));

  // Batched: [2, 2, 3] @ [3, 2].
  Tensor batch = ops::reshape(
      make_tensor<T>({1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0}, {12}), {2, 2, 3});
  Tensor bc = ops::matmul(batch, b);
  EXPECT_EQ(sizes_of(bc), (V{2, 2, 2}));
  EXPECT_EQ(values_of<T>(bc), (std::vector<T>{58, 64, 139, 154, 7, 8, 9, 10}));
}

TEST(Matmul, Float) {
  check_small_matmul<float>(DType::Float32);
}
TEST(Matmul, Double) {
  check_small_matmul<double>(DType::Float64);
}
TEST(Matmul, Int64) {
  check_small_matmul<int64_t>(DType::Int64);
}

TEST(Matmul, ShapeAndDtypeErrors) {
  Tensor a = ops::zeros({2, 3}, DType::Float32);
  Tensor b = ops::zeros({2, 3}, DType::Float32);
  EXPECT_EQ(message_of<Error>([&] { ops::matmul(a, b); }),
            "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)");
  Tensor d = ops::zeros({3, 2}, DType::Float64);
  EXPECT_EQ(message_of<Error>([&] { ops::matmul(a, d); }),
            "expected m1 and m2 to have the same dtype, but got: float != "
            "double");
}

TEST(TypePromotion, IntTensorPlusWrappedFloatIsFloat32) {
  Tensor i = make_tensor<int64_t>({1, 2, 3}, {3});
  Tensor s = wrap_scalar(Scalar(2.5));
  EXPECT_TRUE(s.impl()->is_wrapped_number());
  EXPECT_EQ(s.dtype(), DType::Float64);
  EXPECT_EQ(ops::result_type(i, s), DType::Float32);
  Tensor out = ops::add(i, s);
  EXPECT_EQ(out.dtype(), DType::Float32);
  EXPECT_EQ(values_of<float>(out), (std::vector<float>{3.5f, 4.5f, 5.5f}));

  // The operator sugar wraps the scalar the same way.
  Tensor out2 = i * Scalar(0.5);
  EXPECT_EQ(out2.dtype(), DType::Float32);
  EXPECT_EQ(values_of<float>(out2), (std::vector<float>{0.5f, 1.0f, 1.5f}));
}

TEST(TypePromotion, ResultType) {
  Tensor i64 = ops::zeros({2}, DType::Int64);
  Tensor i32 = ops::zeros({2}, DType::Int32);
  Tensor f32 = ops::zeros({2}, DType::Float32);
  Tensor f64 = ops::zeros({2}, DType::Float64);
  Tensor b = ops::zeros({2}, DType::Bool);

  // Dimensioned tensors promote normally.
  EXPECT_EQ(ops::result_type(i32, i64), DType::Int64);
  EXPECT_EQ(ops::result_type(f32, f64), DType::Float64);
  EXPECT_EQ(ops::result_type(i64, f32), DType::Float32);
  EXPECT_EQ(ops::result_type(b, i32), DType::Int32);

  // Wrapped numbers only matter when they bring a higher category.
  EXPECT_EQ(ops::result_type(i32, wrap_scalar(Scalar(int64_t{5}))),
            DType::Int32);
  EXPECT_EQ(ops::result_type(f32, wrap_scalar(Scalar(2.0))), DType::Float32);
  EXPECT_EQ(ops::result_type(f64, wrap_scalar(Scalar(2.0))), DType::Float64);
  EXPECT_EQ(ops::result_type(b, wrap_scalar(Scalar(int64_t{1}))), DType::Int64);
  EXPECT_EQ(ops::result_type(b, wrap_scalar(Scalar(true))), DType::Bool);
  EXPECT_EQ(ops::result_type(wrap_scalar(Scalar(int64_t{1})),
                             wrap_scalar(Scalar(1.0))),
            DType::Float32);

  // 0-d tensors likewise yield to dimensioned ones of the same category.
  Tensor zd64 = scalar_tensor(Scalar(1.0), DType::Float64);
  EXPECT_FALSE(zd64.impl()->is_wrapped_number());
  EXPECT_EQ(ops::result_type(f32, zd64), DType::Float32);
  EXPECT_EQ(ops::result_type(i64, zd64), DType::Float64);
  Tensor zi64 = scalar_tensor(Scalar(int64_t{1}), DType::Int64);
  EXPECT_EQ(ops::result_type(i32, zi64), DType::Int32);
  // Two 0-d tensors promote normally; a 0-d beats a wrapped number.
  EXPECT_EQ(ops::result_type(zi64, zd64), DType::Float64);
  EXPECT_EQ(ops::result_type(zi64, wrap_scalar(Scalar(1.0))), DType::Float32);
  Tensor zf32 = scalar_tensor(Scalar(1.0), DType::Float32);
  EXPECT_EQ(ops::result_type(zf32, wrap_scalar(Scalar(1.0))), DType::Float32);
}

TEST(TypePromotion, DivisionOfIntegersIsFloat) {
  Tensor a = make_tensor<int64_t>({1, 3}, {2});
  Tensor b = make_tensor<int64_t>({2, 2}, {2});
  Tensor q = ops::div(a, b);
  EXPECT_EQ(q.dtype(), DType::Float32);
  EXPECT_EQ(values_of<float>(q), (std::vector<float>{0.5f, 1.5f}));
}

TEST(TypePromotion, InplaceCannotDowncastCategory) {
  Tensor i = make_tensor<int64_t>({1, 2}, {2});
  EXPECT_THROW(ops::add_(i, wrap_scalar(Scalar(0.5))), Error);
  EXPECT_EQ(values_of<int64_t>(i), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(i.impl()->version(), 0u);
}

}  // namespace
}  // namespace ag
