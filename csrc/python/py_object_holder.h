#pragma once

#include <pybind11/pybind11.h>

namespace ag::python {

// Owns a Python object from C++ code that may run without the GIL (graph
// nodes and hooks are destroyed wherever their last reference goes): the
// reference is dropped under the GIL, and left alone once Python has shut
// down.
class PyObjectHolder {
 public:
  PyObjectHolder() = default;
  explicit PyObjectHolder(pybind11::object obj) : obj_(std::move(obj)) {}
  PyObjectHolder(const PyObjectHolder&) = delete;
  PyObjectHolder& operator=(const PyObjectHolder&) = delete;
  PyObjectHolder& operator=(PyObjectHolder&& other) noexcept {
    reset();
    obj_ = std::move(other.obj_);
    return *this;
  }
  ~PyObjectHolder() { reset(); }

  void reset() {
    if (!obj_) return;
    if (!Py_IsInitialized()) {
      obj_.release();
      return;
    }
    pybind11::gil_scoped_acquire gil;
    obj_ = pybind11::object();
  }

  const pybind11::object& get() const { return obj_; }
  int visit(visitproc visit, void* arg) const {
    Py_VISIT(obj_.ptr());
    return 0;
  }

 private:
  pybind11::object obj_;
};

// A C++ object (hook, graph node) that owns Python objects and names them to
// Python's cycle collector when a tensor reaches it (see tensor_gc.cpp).
class PyReferrer {
 public:
  virtual ~PyReferrer() = default;
  virtual int traverse(visitproc visit, void* arg) const = 0;
};

}  // namespace ag::python
