// ag::data: TensorDataset samples and DataLoader batches (order, sizes,
// drop_last, shuffling per pass, reproducibility under manual_seed, errors).

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "autograd_cpp/autograd_cpp.h"

namespace {

using ag::data::DataLoader;
using ag::data::TensorDataset;

// x row i is {2i, 2i + 1}; y[i] = i.
TensorDataset make_dataset(int64_t n) {
  return TensorDataset(
      {ag::arange(2 * n).reshape({n, 2}).to(ag::kFloat32), ag::arange(n)});
}

TEST(Data, TensorDatasetSamples) {
  TensorDataset ds = make_dataset(5);
  EXPECT_EQ(ds.size(), 5);
  std::vector<ag::Tensor> s = ds[3];
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(ag::to_vector<float>(s[0]), (std::vector<float>{6, 7}));
  EXPECT_EQ(s[1].item<int64_t>(), 3);
  EXPECT_EQ(ds.get(-1)[1].item<int64_t>(), 4);
  EXPECT_THROW(ds.get(5), ag::IndexError);
  EXPECT_THROW(TensorDataset({ag::zeros({3}), ag::zeros({4})}), ag::ValueError);
  EXPECT_THROW(TensorDataset({ag::scalar(1.0)}), ag::ValueError);
  EXPECT_THROW(TensorDataset({ag::Tensor()}), ag::TypeError);
  EXPECT_THROW(TensorDataset({}), ag::ValueError);
}

TEST(Data, BatchesInOrderWithAShortLastOne) {
  DataLoader loader(make_dataset(7), 3);
  EXPECT_EQ(loader.size(), 3);
  std::vector<std::vector<int64_t>> labels;
  for (const std::vector<ag::Tensor>& batch : loader) {
    ASSERT_EQ(batch.size(), 2u);
    EXPECT_EQ(batch[0].size(0), batch[1].size(0));
    EXPECT_EQ(batch[0].size(1), 2);
    labels.push_back(ag::to_vector<int64_t>(batch[1]));
  }
  EXPECT_EQ(labels,
            (std::vector<std::vector<int64_t>>{{0, 1, 2}, {3, 4, 5}, {6}}));
  DataLoader dropping(make_dataset(7), 3, false, true);
  EXPECT_EQ(dropping.size(), 2);
  int64_t batches = 0;
  for (const auto& batch : dropping) {
    EXPECT_EQ(batch[1].numel(), 3);
    ++batches;
  }
  EXPECT_EQ(batches, 2);
  EXPECT_THROW(DataLoader(make_dataset(2), 0), ag::ValueError);
}

std::vector<int64_t> one_pass(DataLoader& loader) {
  std::vector<int64_t> seen;
  for (const auto& batch : loader) {
    const std::vector<int64_t> y = ag::to_vector<int64_t>(batch[1]);
    const std::vector<float> x = ag::to_vector<float>(batch[0]);
    for (size_t i = 0; i < y.size(); ++i) {
      // Rows stay paired with their labels.
      EXPECT_EQ(x[2 * i], 2.0f * static_cast<float>(y[i]));
      seen.push_back(y[i]);
    }
  }
  return seen;
}

TEST(Data, ShuffleVisitsEverySampleOncePerPassInANewOrder) {
  ag::manual_seed(0);
  DataLoader loader(make_dataset(50), 8, true);
  const std::vector<int64_t> first = one_pass(loader);
  const std::vector<int64_t> second = one_pass(loader);
  std::vector<int64_t> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> all(50);
  for (int64_t i = 0; i < 50; ++i) all[i] = i;
  EXPECT_EQ(sorted, all);
  EXPECT_NE(first, all);
  EXPECT_NE(first, second);

  ag::manual_seed(0);
  DataLoader again(make_dataset(50), 8, true);
  EXPECT_EQ(one_pass(again), first);
}

TEST(Data, TrainsFromALoader) {
  ag::manual_seed(1);
  const ag::Tensor x = ag::linspace(-1, 1, 64).reshape({64, 1});
  const ag::Tensor y = 3 * x + 0.5;
  DataLoader loader(TensorDataset({x, y}), 16, true);
  ag::nn::Linear fc(1, 1);
  ag::optim::SGD opt(fc.parameters(), ag::optim::SGDOptions(0.3));
  for (int epoch = 0; epoch < 60; ++epoch) {
    for (const auto& batch : loader) {
      opt.zero_grad();
      ag::mse_loss(fc(batch[0]), batch[1]).backward();
      opt.step();
    }
  }
  EXPECT_NEAR(fc.weight.item<double>(), 3.0, 1e-3);
  EXPECT_NEAR(fc.bias.item<double>(), 0.5, 1e-3);
}

}  // namespace
