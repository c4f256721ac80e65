// Shapes, broadcasting, strides and DimVector.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/shape.h"
#include "test_util.h"

namespace ag {
namespace {

using ::ag::testing::message_of;
using V = std::vector<int64_t>;

TEST(BroadcastShapes, CompatibleShapes) {
  EXPECT_EQ(broadcast_shapes({2, 1, 3}, {4, 1}).vec(), (V{2, 4, 3}));
  EXPECT_EQ(broadcast_shapes({3}, {2, 3}).vec(), (V{2, 3}));
  EXPECT_EQ(broadcast_shapes({2, 3}, {3}).vec(), (V{2, 3}));
  EXPECT_EQ(broadcast_shapes({}, {2, 3}).vec(), (V{2, 3}));
  EXPECT_EQ(broadcast_shapes({}, {}).vec(), V{});
  EXPECT_EQ(broadcast_shapes({1}, {5}).vec(), (V{5}));
  EXPECT_EQ(broadcast_shapes({0}, {1}).vec(), (V{0}));
  EXPECT_EQ(broadcast_shapes({5, 1, 4, 1}, {3, 1, 1}).vec(), (V{5, 3, 4, 1}));
}

TEST(BroadcastShapes, MismatchHasPyTorchMessage) {
  const std::string msg =
      message_of<Error>([] { broadcast_shapes({2, 3}, {2, 4}); });
  EXPECT_EQ(msg,
            "The size of tensor a (3) must match the size of tensor b (4) at "
            "non-singleton dimension 1");
}

TEST(BroadcastShapes, MismatchDimensionCountsFromOutputStart) {
  // a is [3] aligned to the right of b's [4, 2, 4]: the clash is at dim 2.
  const std::string msg =
      message_of<Error>([] { broadcast_shapes({3}, {4, 2, 4}); });
  EXPECT_EQ(msg,
            "The size of tensor a (3) must match the size of tensor b (4) at "
            "non-singleton dimension 2");
  EXPECT_THROW(broadcast_shapes({0}, {2}), Error);
}

TEST(BroadcastStrides, BroadcastDimsGetStrideZero) {
  // [3, 1] with strides [1, 1] viewed as [2, 3, 4].
  EXPECT_EQ(broadcast_strides({3, 1}, {1, 1}, {2, 3, 4}).vec(), (V{0, 1, 0}));
  EXPECT_EQ(broadcast_strides({2, 3}, {3, 1}, {2, 3}).vec(), (V{3, 1}));
}

TEST(ContiguousStrides, RowMajor) {
  EXPECT_EQ(contiguous_strides({2, 3, 4}).vec(), (V{12, 4, 1}));
  EXPECT_EQ(contiguous_strides({5}).vec(), (V{1}));
  EXPECT_EQ(contiguous_strides({}).vec(), V{});
  // Zero-size dims count as one, as in PyTorch: torch.empty(2, 0, 3).stride()
  EXPECT_EQ(contiguous_strides({2, 0, 3}).vec(), (V{3, 3, 1}));
  EXPECT_EQ(contiguous_strides({1, 1, 7}).vec(), (V{7, 7, 1}));
}

TEST(NumelOf, ProductOfSizes) {
  EXPECT_EQ(numel_of({2, 3, 4}), 24);
  EXPECT_EQ(numel_of({}), 1);
  EXPECT_EQ(numel_of({3, 0}), 0);
}

TEST(ShapeStr, Format) {
  EXPECT_EQ(shape_str({2, 3}), "[2, 3]");
  EXPECT_EQ(shape_str({}), "[]");
  EXPECT_EQ(shape_str({7}), "[7]");
}

TEST(WrapDim, WrapsNegativeDims) {
  EXPECT_EQ(wrap_dim(0, 3), 0);
  EXPECT_EQ(wrap_dim(2, 3), 2);
  EXPECT_EQ(wrap_dim(-1, 3), 2);
  EXPECT_EQ(wrap_dim(-3, 3), 0);
  // 0-d tensors accept -1 and 0.
  EXPECT_EQ(wrap_dim(0, 0), 0);
  EXPECT_EQ(wrap_dim(-1, 0), 0);
}

TEST(WrapDim, OutOfRangeRaisesIndexError) {
  EXPECT_THROW(wrap_dim(2, 2), IndexError);
  EXPECT_THROW(wrap_dim(-3, 2), IndexError);
  EXPECT_EQ(message_of<IndexError>([] { wrap_dim(2, 2); }),
            "Dimension out of range (expected to be in range of [-2, 1], but "
            "got 2)");
  EXPECT_EQ(message_of<IndexError>([] { wrap_dim(-4, 3); }),
            "Dimension out of range (expected to be in range of [-3, 2], but "
            "got -4)");
  EXPECT_EQ(message_of<IndexError>([] { wrap_dim(1, 0); }),
            "Dimension out of range (expected to be in range of [-1, 0], but "
            "got 1)");
}

TEST(WrapDim, IndexErrorIsAnError) {
  // Callers catching ag::Error also see index errors.
  bool caught = false;
  try {
    wrap_dim(5, 1);
  } catch (const Error&) {
    caught = true;
  }
  EXPECT_TRUE(caught);
}

TEST(InferSize, InfersMinusOne) {
  EXPECT_EQ(infer_size({-1, 4}, 12).vec(), (V{3, 4}));
  EXPECT_EQ(infer_size({2, -1, 3}, 12).vec(), (V{2, 2, 3}));
  EXPECT_EQ(infer_size({-1}, 7).vec(), (V{7}));
  EXPECT_EQ(infer_size({3, 4}, 12).vec(), (V{3, 4}));
  EXPECT_EQ(infer_size({-1, 3}, 0).vec(), (V{0, 3}));
  EXPECT_EQ(infer_size({}, 1).vec(), V{});
}

TEST(InferSize, Errors) {
  EXPECT_EQ(message_of<Error>([] { infer_size({-1, -1}, 4); }),
            "only one dimension can be inferred");
  EXPECT_EQ(message_of<Error>([] { infer_size({5}, 6); }),
            "shape '[5]' is invalid for input of size 6");
  EXPECT_EQ(message_of<Error>([] { infer_size({-1, 5}, 12); }),
            "shape '[-1, 5]' is invalid for input of size 12");
  const std::string msg = message_of<Error>([] { infer_size({-2, 3}, 6); });
  EXPECT_NE(msg.find("invalid shape dimension -2"), std::string::npos) << msg;
  // -1 next to a zero-size dim is ambiguous.
  EXPECT_THROW(infer_size({0, -1}, 0), Error);
}

TEST(ComputeViewStrides, ContiguousInputs) {
  Shape strides;
  ASSERT_TRUE(compute_view_strides({2, 3}, {3, 1}, {6}, &strides));
  EXPECT_EQ(strides.vec(), (V{1}));
  ASSERT_TRUE(compute_view_strides({2, 3}, {3, 1}, {3, 2}, &strides));
  EXPECT_EQ(strides.vec(), (V{2, 1}));
  ASSERT_TRUE(compute_view_strides({6}, {1}, {2, 1, 3}, &strides));
  EXPECT_EQ(strides.vec(), (V{3, 3, 1}));
  ASSERT_TRUE(compute_view_strides({2, 3, 4}, {12, 4, 1}, {4, 6}, &strides));
  EXPECT_EQ(strides.vec(), (V{6, 1}));
}

TEST(ComputeViewStrides, NonContiguousButViewable) {
  Shape strides;
  // Every other element of a 1-d tensor: [4] stride [2] -> [2, 2].
  ASSERT_TRUE(compute_view_strides({4}, {2}, {2, 2}, &strides));
  EXPECT_EQ(strides.vec(), (V{4, 2}));
  // Every other row of a [4, 3] tensor: rows stay separate chunks.
  ASSERT_TRUE(compute_view_strides({2, 3}, {6, 1}, {2, 1, 3}, &strides));
  EXPECT_EQ(strides.vec(), (V{6, 3, 1}));
  // A transposed tensor can gain size-1 dims.
  ASSERT_TRUE(compute_view_strides({3, 2}, {1, 3}, {3, 1, 2}, &strides));
  EXPECT_EQ(strides[0], 1);
  EXPECT_EQ(strides[2], 3);
  // A 0-d tensor views as any shape of one element.
  ASSERT_TRUE(compute_view_strides({}, {}, {1, 1}, &strides));
  EXPECT_EQ(strides.vec(), (V{1, 1}));
}

TEST(ComputeViewStrides, NonViewable) {
  Shape strides;
  // A transposed 2x3 (sizes [3, 2], strides [1, 3]) cannot be flattened.
  EXPECT_FALSE(compute_view_strides({3, 2}, {1, 3}, {6}, &strides));
  EXPECT_FALSE(compute_view_strides({3, 2}, {1, 3}, {2, 3}, &strides));
  // Every other row of [4, 3] cannot merge rows.
  EXPECT_FALSE(compute_view_strides({2, 3}, {6, 1}, {6}, &strides));
}

TEST(IsExpandableTo, Cases) {
  EXPECT_TRUE(is_expandable_to({3}, {2, 3}));
  EXPECT_TRUE(is_expandable_to({1, 3}, {4, 3}));
  EXPECT_TRUE(is_expandable_to({}, {2}));
  EXPECT_TRUE(is_expandable_to({2, 3}, {2, 3}));
  EXPECT_TRUE(is_expandable_to({3, 1}, {2, 3, 5}));
  EXPECT_FALSE(is_expandable_to({2}, {2, 3}));
  EXPECT_FALSE(is_expandable_to({2, 3}, {3}));
  EXPECT_FALSE(is_expandable_to({4, 3}, {1, 3}));
}

TEST(DimVector, InlineBasics) {
  DimVector v{1, 2, 3};
  EXPECT_EQ(v.size(), 3u);
  EXPECT_FALSE(v.empty());
  EXPECT_EQ(v[0], 1);
  EXPECT_EQ(v.back(), 3);
  v.push_back(4);
  EXPECT_EQ(v.vec(), (V{1, 2, 3, 4}));
  DimVector filled(size_t{4}, 9);
  EXPECT_EQ(filled.vec(), (V{9, 9, 9, 9}));
  EXPECT_TRUE(DimVector().empty());
  EXPECT_EQ(DimVector({1, 2}), DimVector({1, 2}));
  EXPECT_NE(DimVector({1, 2}), DimVector({1, 2, 3}));
  EXPECT_NE(DimVector({1, 2}), DimVector({1, 3}));
}

TEST(DimVector, GrowsPastInlineCapacityAndShrinksBack) {
  DimVector v;
  for (int64_t i = 0; i < 10; ++i) v.push_back(i * 10);
  ASSERT_EQ(v.size(), 10u);
  EXPECT_GT(v.size(), DimVector::kInline);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(v[i], static_cast<int64_t>(i) * 10);

  // Copies of a heap-backed vector are independent.
  DimVector copy = v;
  copy[9] = -1;
  EXPECT_EQ(v[9], 90);
  EXPECT_EQ(copy.size(), 10u);
  EXPECT_NE(copy, v);

  // Shrink back into the inline buffer: the surviving values are kept.
  v.resize(4);
  EXPECT_EQ(v.vec(), (V{0, 10, 20, 30}));
  // Grow again, inline then heap, with a fill value.
  v.resize(6, 5);
  EXPECT_EQ(v.vec(), (V{0, 10, 20, 30, 5, 5}));
  v.resize(8, 7);
  EXPECT_EQ(v.vec(), (V{0, 10, 20, 30, 5, 5, 7, 7}));
  v.resize(0);
  EXPECT_TRUE(v.empty());
  v.resize(2, 3);
  EXPECT_EQ(v.vec(), (V{3, 3}));
}

TEST(DimVector, InsertAndEraseAcrossTheBoundary) {
  DimVector v{1, 2, 3, 4, 5, 6};
  ASSERT_EQ(v.size(), DimVector::kInline);
  v.insert(0, 0);  // 7 elements: moves to the heap
  EXPECT_EQ(v.vec(), (V{0, 1, 2, 3, 4, 5, 6}));
  v.insert(7, 7);
  EXPECT_EQ(v.vec(), (V{0, 1, 2, 3, 4, 5, 6, 7}));
  v.insert(4, 99);
  EXPECT_EQ(v.vec(), (V{0, 1, 2, 3, 99, 4, 5, 6, 7}));
  v.erase(4);
  v.erase(0);
  v.erase(6);  // back to 6 elements: inline again
  EXPECT_EQ(v.vec(), (V{1, 2, 3, 4, 5, 6}));
  v.erase(0);
  EXPECT_EQ(v.vec(), (V{2, 3, 4, 5, 6}));
  // Assigning a heap vector to an inline one and back.
  DimVector big(size_t{9}, 4);
  DimVector small{1};
  small = big;
  EXPECT_EQ(small.vec(), (V(9, 4)));
  small = DimVector{8, 9};
  EXPECT_EQ(small.vec(), (V{8, 9}));
  big.assign(3, 2);
  EXPECT_EQ(big.vec(), (V{2, 2, 2}));
}

TEST(DimVector, TensorsWithManyDims) {
  // An 8-d tensor uses heap-backed sizes and strides end to end.
  Tensor t = ops::ones({1, 2, 1, 2, 1, 2, 1, 2}, DType::Float32);
  EXPECT_EQ(t.dim(), 8);
  EXPECT_EQ(t.numel(), 16);
  EXPECT_EQ(t.strides().vec(), (V{16, 8, 8, 4, 4, 2, 2, 1}));
  Tensor s = ops::sum(t, {1, 3, 5, 7}, /*keepdim=*/false);
  EXPECT_EQ(s.sizes().vec(), (V{1, 1, 1, 1}));
  EXPECT_FLOAT_EQ(s.data_ptr<float>()[0], 16.0f);
  Tensor v = ops::view(t, {16});
  EXPECT_EQ(v.sizes().vec(), (V{16}));
}

}  // namespace
}  // namespace ag
