#pragma once

// Sorting, selection and scans along a dim: sort, argsort, msort, topk,
// kthvalue, median, nanmedian, mode, cumprod, cummax, cummin,
// logcumsumexp; and the counting ops searchsorted, bucketize, bincount and
// histc (sorting.cpp).

#include <optional>
#include <utility>

#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

// (values, indices); ties keep their input order when `stable`.
std::pair<Tensor, Tensor> sort(const Tensor& self, int64_t dim = -1,
                               bool descending = false, bool stable = false);
Tensor argsort(const Tensor& self, int64_t dim = -1, bool descending = false,
               bool stable = false);
// Sorted along dim 0 (values only).
Tensor msort(const Tensor& self);
std::pair<Tensor, Tensor> topk(const Tensor& self, int64_t k, int64_t dim = -1,
                               bool largest = true, bool sorted = true);
// The k-th smallest (k from 1) along dim.
std::pair<Tensor, Tensor> kthvalue(const Tensor& self, int64_t k,
                                   int64_t dim = -1, bool keepdim = false);
// The lower median of all elements (NaN if any is NaN; nanmedian skips them).
Tensor median(const Tensor& self);
Tensor nanmedian(const Tensor& self);
std::pair<Tensor, Tensor> median(const Tensor& self, int64_t dim,
                                 bool keepdim = false);
std::pair<Tensor, Tensor> nanmedian(const Tensor& self, int64_t dim,
                                    bool keepdim = false);
// The most frequent value along dim (the smallest among equally frequent).
std::pair<Tensor, Tensor> mode(const Tensor& self, int64_t dim = -1,
                               bool keepdim = false);

Tensor cumprod(const Tensor& self, int64_t dim,
               std::optional<DType> dtype = std::nullopt);
// Running max/min with the index where each running extreme was found.
std::pair<Tensor, Tensor> cummax(const Tensor& self, int64_t dim);
std::pair<Tensor, Tensor> cummin(const Tensor& self, int64_t dim);
Tensor logcumsumexp(const Tensor& self, int64_t dim);

// Insertion points of `values` into the rows (last dim) of `sorted`.
// `side` ("left"/"right") overrides `right` when given.
Tensor searchsorted(const Tensor& sorted, const Tensor& values,
                    bool out_int32 = false, bool right = false,
                    const std::optional<std::string>& side = std::nullopt,
                    const Tensor& sorter = Tensor());
// searchsorted with the arguments the other way round (1-d boundaries).
Tensor bucketize(const Tensor& self, const Tensor& boundaries,
                 bool out_int32 = false, bool right = false);
Tensor bincount(const Tensor& self, const Tensor& weights = Tensor(),
                int64_t minlength = 0);
Tensor histc(const Tensor& self, int64_t bins = 100, double min = 0.0,
             double max = 0.0);

}  // namespace ag::ops
