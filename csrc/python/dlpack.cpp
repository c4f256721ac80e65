// DLPack capsules: Tensor.__dlpack__, Tensor.__dlpack_device__ and
// from_dlpack. The structs and the zero-copy conversions live in
// core/dlpack; this file only wraps them in PyCapsules with the names and
// ownership rules of the Python array API.

#include "core/dlpack.h"

#include "autograd/autograd_meta.h"
#include "python/bind_utils.h"

namespace ag::python {

namespace {

using dlpack::DLManagedTensor;
using dlpack::DLManagedTensorVersioned;

constexpr const char* kLegacyName = "dltensor";
constexpr const char* kLegacyUsedName = "used_dltensor";
constexpr const char* kVersionedName = "dltensor_versioned";
constexpr const char* kVersionedUsedName = "used_dltensor_versioned";

[[noreturn]] void buffer_error(const std::string& message) {
  PyErr_SetString(PyExc_BufferError, message.c_str());
  throw py::error_already_set();
}

// A capsule nobody consumed still owns its tensor; a consumed one was renamed
// and belongs to the consumer.
template <typename Managed>
void capsule_destructor(PyObject* capsule, const char* name) {
  if (!PyCapsule_IsValid(capsule, name)) return;
  auto* managed = static_cast<Managed*>(PyCapsule_GetPointer(capsule, name));
  if (managed != nullptr && managed->deleter != nullptr) {
    managed->deleter(managed);
  }
}

void legacy_destructor(PyObject* capsule) {
  capsule_destructor<DLManagedTensor>(capsule, kLegacyName);
}
void versioned_destructor(PyObject* capsule) {
  capsule_destructor<DLManagedTensorVersioned>(capsule, kVersionedName);
}

template <typename Managed>
py::capsule make_capsule(Managed* managed, const char* name,
                         PyCapsule_Destructor destructor) {
  PyObject* capsule = PyCapsule_New(managed, name, destructor);
  if (capsule == nullptr) {
    managed->deleter(managed);
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::capsule>(capsule);
}

bool wants_versioned(py::handle max_version) {
  if (max_version.is_none()) return false;
  const auto version = py::reinterpret_borrow<py::sequence>(max_version);
  return py::len(version) >= 1 && version[0].cast<int64_t>() >= 1;
}

py::capsule export_capsule(const Tensor& self, py::handle stream,
                           py::handle max_version, py::handle dl_device,
                           py::handle copy) {
  if (autograd::requires_grad(self)) {
    buffer_error(
        "Can't export tensors that require gradient, use tensor.detach()");
  }
  // CPU memory needs no stream; -1 is the array API's "no synchronisation".
  if (!stream.is_none() &&
      !(PyLong_Check(stream.ptr()) && stream.cast<int64_t>() == -1)) {
    buffer_error("stream should be None on cpu.");
  }
  if (!dl_device.is_none()) {
    const auto device = py::reinterpret_borrow<py::sequence>(dl_device);
    if (py::len(device) != 2 || device[0].cast<int64_t>() != dlpack::kDLCPU) {
      buffer_error(
          "autograd_cpp tensors can only be exported to the CPU (DLPack "
          "device type 1), got " +
          std::string(py::repr(dl_device)));
    }
  }
  const bool copied = !copy.is_none() && copy.cast<bool>();
  const Tensor src = copied ? ops::clone(self) : self;
  if (!wants_versioned(max_version)) {
    return make_capsule(dlpack::to_dlpack(src), kLegacyName,
                        &legacy_destructor);
  }
  return make_capsule(
      dlpack::to_dlpack_versioned(src, copied ? dlpack::kFlagIsCopied : 0),
      kVersionedName, &versioned_destructor);
}

// Takes the tensor out of a capsule and marks the capsule used.
template <typename Managed>
Tensor consume_capsule(py::handle capsule, const char* name,
                       const char* used_name) {
  auto* managed =
      static_cast<Managed*>(PyCapsule_GetPointer(capsule.ptr(), name));
  if (managed == nullptr) throw py::error_already_set();
  Tensor out = dlpack::from_dlpack(managed);
  PyCapsule_SetName(capsule.ptr(), used_name);
  return out;
}

Tensor import_capsule(py::handle capsule) {
  if (PyCapsule_IsValid(capsule.ptr(), kVersionedName)) {
    auto* managed = static_cast<DLManagedTensorVersioned*>(
        PyCapsule_GetPointer(capsule.ptr(), kVersionedName));
    if (managed->flags & dlpack::kFlagReadOnly) {
      // Our tensors are always writable: share the memory, as PyTorch does,
      // but say that writes to it are the caller's responsibility.
      if (PyErr_WarnEx(PyExc_UserWarning,
                       "The given DLPack tensor is read-only, and autograd_cpp "
                       "has no read-only tensors: the result shares its "
                       "memory, so writing to it is undefined behaviour. Copy "
                       "it (from_dlpack(x, copy=True)) to protect the data.",
                       1) < 0) {
        throw py::error_already_set();
      }
    }
    return consume_capsule<DLManagedTensorVersioned>(capsule, kVersionedName,
                                                     kVersionedUsedName);
  }
  if (PyCapsule_IsValid(capsule.ptr(), kLegacyName)) {
    return consume_capsule<DLManagedTensor>(capsule, kLegacyName,
                                            kLegacyUsedName);
  }
  throw std::runtime_error(
      "from_dlpack received an invalid capsule. Note that DLTensor capsules "
      "can be consumed only once, so you might have already constructed a "
      "tensor from it once.");
}

Tensor from_dlpack(py::handle obj, py::handle device, py::handle copy) {
  if (!device.is_none()) check_device(device);
  Tensor out;
  if (PyCapsule_CheckExact(obj.ptr())) {
    out = import_capsule(obj);
  } else if (py::hasattr(obj, "__dlpack__")) {
    if (py::hasattr(obj, "__dlpack_device__")) {
      const auto dev =
          py::reinterpret_borrow<py::sequence>(obj.attr("__dlpack_device__")());
      if (dev[0].cast<int64_t>() != dlpack::kDLCPU) {
        throw py::type_error(
            "from_dlpack: autograd_cpp only supports CPU memory, got DLPack "
            "device " +
            std::string(py::repr(dev)));
      }
    }
    py::object capsule;
    try {
      capsule = obj.attr("__dlpack__")(
          py::arg("max_version") =
              py::make_tuple(dlpack::kMajorVersion, dlpack::kMinorVersion));
    } catch (py::error_already_set& e) {
      // Producers older than DLPack 1.0 take no max_version.
      if (!e.matches(PyExc_TypeError)) throw;
      capsule = obj.attr("__dlpack__")();
    }
    out = import_capsule(capsule);
  } else {
    throw std::runtime_error(
        "from_dlpack expects a DLPack capsule or an object with __dlpack__ "
        "(a numpy array, a torch or JAX tensor, ...), got " +
        std::string(py::str(py::type::of(obj).attr("__name__"))));
  }
  if (!copy.is_none() && copy.cast<bool>()) return ops::clone(out);
  return out;
}

}  // namespace

void bind_dlpack(TensorClass& cls, py::module_& m) {
  def_method(
      cls,
      {"__dlpack__(Tensor self, *, int? stream=None, int[]? max_version=None, "
       "int[]? dl_device=None, bool? copy=None) -> "
       "typing_extensions.CapsuleType"},
      [](Args& a) -> py::object {
        return export_capsule(a.tensor(0), a.object(1), a.object(2),
                              a.object(3), a.object(4));
      },
      "Exports the tensor as a DLPack capsule sharing its memory.");
  def_method(
      cls, {"__dlpack_device__(Tensor self) -> tuple[_int, _int]"},
      [](Args&) -> py::object {
        return py::make_tuple(static_cast<int>(dlpack::kDLCPU), 0);
      },
      "The DLPack device (type, id) of the tensor: (1, 0), the CPU.");
  def(
      m,
      {"from_dlpack(object ext_tensor, *, object device=None, bool? "
       "copy=None) -> Tensor"},
      [](Args& a) {
        return wrap(from_dlpack(a.object(0), a.object(1), a.object(2)));
      },
      "A tensor sharing memory with any DLPack producer (numpy, PyTorch, "
      "JAX, ...) or DLPack capsule.");
}

}  // namespace ag::python
