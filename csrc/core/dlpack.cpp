#include "core/dlpack.h"

#include <memory>
#include <optional>
#include <vector>

namespace ag::dlpack {

namespace {

DLDataType to_dl_dtype(DType t) {
  const auto bits = static_cast<uint8_t>(itemsize(t) * 8);
  switch (t) {
    case DType::Bool:
      return {kDLBool, bits, 1};
    case DType::Int32:
    case DType::Int64:
      return {kDLInt, bits, 1};
    case DType::Float32:
    case DType::Float64:
      break;
  }
  return {kDLFloat, bits, 1};
}

std::optional<DType> from_dl_dtype(DLDataType t) {
  if (t.lanes != 1) return std::nullopt;
  if (t.code == kDLBool && t.bits == 8) return DType::Bool;
  if (t.code == kDLInt && t.bits == 32) return DType::Int32;
  if (t.code == kDLInt && t.bits == 64) return DType::Int64;
  if (t.code == kDLFloat && t.bits == 32) return DType::Float32;
  if (t.code == kDLFloat && t.bits == 64) return DType::Float64;
  return std::nullopt;
}

// What an export owns: the storage (kept alive for the consumer) and the
// shape and strides arrays the DLTensor points into.
template <typename Managed>
struct ExportContext {
  std::shared_ptr<Storage> storage;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;
  Managed managed{};
};

template <typename Managed>
void delete_export(Managed* self) {
  // Reclaims the context released in export_tensor.
  std::unique_ptr<ExportContext<Managed>> owner(
      static_cast<ExportContext<Managed>*>(self->manager_ctx));
}

template <typename Managed>
Managed* export_tensor(const Tensor& t) {
  auto ctx = std::make_unique<ExportContext<Managed>>();
  ctx->storage = t.impl()->storage();
  ctx->shape.assign(t.sizes().begin(), t.sizes().end());
  ctx->strides.assign(t.strides().begin(), t.strides().end());
  DLTensor& dl = ctx->managed.dl_tensor;
  dl.data = t.raw_data();
  dl.device = {kDLCPU, 0};
  dl.ndim = static_cast<int32_t>(t.dim());
  dl.dtype = to_dl_dtype(t.dtype());
  dl.shape = ctx->shape.data();
  dl.strides = ctx->strides.data();
  dl.byte_offset = 0;
  ctx->managed.manager_ctx = ctx.get();
  ctx->managed.deleter = &delete_export<Managed>;
  return &ctx.release()->managed;
}

template <typename Managed>
void run_deleter(void* managed) {
  auto* m = static_cast<Managed*>(managed);
  if (m->deleter) m->deleter(m);
}

template <typename Managed>
Tensor import_tensor(Managed* managed) {
  AG_CHECK(managed != nullptr, "from_dlpack: got a null DLPack tensor");
  const DLTensor& dl = managed->dl_tensor;
  AG_CHECK_AS(TypeError, dl.device.device_type == kDLCPU,
              "from_dlpack: autograd_cpp only supports CPU memory, got DLPack "
              "device type ",
              static_cast<int>(dl.device.device_type));
  const std::optional<DType> dtype = from_dl_dtype(dl.dtype);
  AG_CHECK_AS(TypeError, dtype.has_value(),
              "from_dlpack: unsupported DLPack dtype (code ",
              static_cast<int>(dl.dtype.code), ", bits ",
              static_cast<int>(dl.dtype.bits), ", lanes ", dl.dtype.lanes,
              "); the supported types are float64, float32, int64, int32 "
              "and bool");
  AG_CHECK(dl.ndim >= 0, "from_dlpack: negative ndim ", dl.ndim);
  Shape sizes, strides;
  for (int32_t d = 0; d < dl.ndim; ++d) sizes.push_back(dl.shape[d]);
  if (dl.strides != nullptr) {
    for (int32_t d = 0; d < dl.ndim; ++d) strides.push_back(dl.strides[d]);
  } else {
    strides = contiguous_strides(sizes);
  }
  // The storage spans element 0 to the furthest element the strides reach.
  const bool empty = numel_of(sizes) == 0;
  int64_t extent = empty ? 0 : 1;
  for (size_t d = 0; d < sizes.size() && !empty; ++d) {
    AG_CHECK_AS(ValueError, strides[d] >= 0 || sizes[d] <= 1,
                "from_dlpack: tensors with negative strides are not "
                "supported; copy the array first");
    if (sizes[d] > 1) extent += (sizes[d] - 1) * strides[d];
  }
  const int64_t item = static_cast<int64_t>(itemsize(*dtype));
  void* data = static_cast<char*>(dl.data) + dl.byte_offset;
  // Sizes of 1 may carry any stride; a well-formed one is used as is.
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] <= 1 && strides[d] < 0) strides[d] = 1;
  }
  DataPtr ptr(data, managed, &run_deleter<Managed>);
  auto storage = std::make_shared<Storage>(std::move(ptr),
                                           static_cast<size_t>(extent * item));
  return Tensor(std::make_shared<TensorImpl>(std::move(storage), sizes, strides,
                                             0, *dtype));
}

}  // namespace

DLManagedTensor* to_dlpack(const Tensor& t) {
  return export_tensor<DLManagedTensor>(t);
}

DLManagedTensorVersioned* to_dlpack_versioned(const Tensor& t, uint64_t flags) {
  DLManagedTensorVersioned* m = export_tensor<DLManagedTensorVersioned>(t);
  m->version = {kMajorVersion, kMinorVersion};
  m->flags = flags;
  return m;
}

Tensor from_dlpack(DLManagedTensor* managed) {
  return import_tensor(managed);
}

Tensor from_dlpack(DLManagedTensorVersioned* managed) {
  AG_CHECK(managed != nullptr, "from_dlpack: got a null DLPack tensor");
  AG_CHECK(managed->version.major <= kMajorVersion,
           "from_dlpack: DLPack version ", managed->version.major, ".",
           managed->version.minor, " is newer than the supported ",
           kMajorVersion, ".", kMinorVersion);
  return import_tensor(managed);
}

}  // namespace ag::dlpack
