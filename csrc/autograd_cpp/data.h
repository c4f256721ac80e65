#pragma once

// ag::data: in-memory datasets and a batching loader, the C++ counterparts of
// torch.utils.data's TensorDataset and DataLoader (single process):
//
//   ag::data::TensorDataset dataset({x, y});
//   ag::data::DataLoader loader(dataset, /*batch_size=*/32, /*shuffle=*/true);
//   for (int epoch = 0; epoch < 10; ++epoch)
//     for (const std::vector<ag::Tensor>& batch : loader)
//       train_step(batch[0], batch[1]);

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <vector>

#include "core/tensor.h"

namespace ag::data {

// Sample i is row i (index i of dim 0) of each tensor; all tensors have the
// same length.
class TensorDataset {
 public:
  explicit TensorDataset(std::vector<Tensor> tensors);
  int64_t size() const { return size_; }
  // One sample: row `index` of each tensor (negative counts from the end).
  std::vector<Tensor> get(int64_t index) const;
  std::vector<Tensor> operator[](int64_t index) const { return get(index); }
  const std::vector<Tensor>& tensors() const { return tensors_; }

 private:
  std::vector<Tensor> tensors_;
  int64_t size_;
};

// Batches of a TensorDataset: each batch holds, per tensor of the dataset,
// the rows of its samples stacked along dim 0 (a copy, as the default
// collate function stacks). With shuffle, every pass (every begin()) visits
// the samples in a new order drawn from the generator ag::manual_seed seeds;
// the order differs from PyTorch's, which draws with its own generator.
class DataLoader {
 public:
  explicit DataLoader(TensorDataset dataset, int64_t batch_size = 1,
                      bool shuffle = false, bool drop_last = false);

  // len(loader): the number of batches in a pass.
  int64_t size() const;
  const TensorDataset& dataset() const { return dataset_; }
  int64_t batch_size() const { return batch_size_; }

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = std::vector<Tensor>;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    reference operator*() const { return batch_; }
    pointer operator->() const { return &batch_; }
    Iterator& operator++();
    bool operator==(const Iterator& other) const {
      return batch_index_ == other.batch_index_;
    }
    bool operator!=(const Iterator& other) const { return !(*this == other); }

   private:
    friend class DataLoader;
    Iterator(const DataLoader* loader, int64_t batch_index);
    void load();
    const DataLoader* loader_;
    int64_t batch_index_;
    std::vector<Tensor> batch_;
  };
  // Starts a pass (reshuffling when shuffle is on).
  Iterator begin();
  Iterator end() const { return Iterator(this, size()); }

 private:
  std::vector<Tensor> batch(int64_t batch_index) const;
  TensorDataset dataset_;
  int64_t batch_size_;
  bool shuffle_, drop_last_;
  Tensor order_;  // int64 sample indices of the current pass
};

}  // namespace ag::data
