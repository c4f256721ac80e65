#pragma once

// DLPack: the C ABI that array libraries use to share memory without
// copying (numpy, PyTorch, JAX, CuPy, ...). The structs below follow the
// DLPack 1.1 specification field by field, since other libraries read them
// through their own copy of the header; they live in ag::dlpack so they
// cannot clash with a dlpack.h included elsewhere.

#include <cstdint>

#include "core/tensor.h"

namespace ag::dlpack {

constexpr uint32_t kMajorVersion = 1;
constexpr uint32_t kMinorVersion = 1;

extern "C" {

struct DLPackVersion {
  uint32_t major;
  uint32_t minor;
};

enum DLDeviceType : int32_t { kDLCPU = 1 };

struct DLDevice {
  DLDeviceType device_type;
  int32_t device_id;
};

enum DLDataTypeCode : uint8_t {
  kDLInt = 0,
  kDLUInt = 1,
  kDLFloat = 2,
  kDLBool = 6,
};

struct DLDataType {
  uint8_t code;
  uint8_t bits;
  uint16_t lanes;
};

struct DLTensor {
  void* data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t* shape;
  int64_t* strides;  // in elements; null means compact row-major
  uint64_t byte_offset;
};

// The pre-1.0 form, still what consumers get unless they ask for more.
struct DLManagedTensor {
  DLTensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(DLManagedTensor* self);
};

constexpr uint64_t kFlagReadOnly = 1ULL << 0;
constexpr uint64_t kFlagIsCopied = 1ULL << 1;

struct DLManagedTensorVersioned {
  DLPackVersion version;
  void* manager_ctx;
  void (*deleter)(DLManagedTensorVersioned* self);
  uint64_t flags;
  DLTensor dl_tensor;
};

}  // extern "C"

// Exports share the tensor's storage, which stays alive until the consumer
// calls the returned struct's deleter (exactly once).
DLManagedTensor* to_dlpack(const Tensor& t);
DLManagedTensorVersioned* to_dlpack_versioned(const Tensor& t,
                                              uint64_t flags = 0);

// Imports make a tensor over the producer's memory, honouring strides and
// byte_offset; the producer's deleter runs when that memory is no longer
// used. Ownership of `managed` passes to the tensor only on success: if
// these throw (unsupported dtype, device or layout), the caller still owns
// it.
Tensor from_dlpack(DLManagedTensor* managed);
Tensor from_dlpack(DLManagedTensorVersioned* managed);

}  // namespace ag::dlpack
