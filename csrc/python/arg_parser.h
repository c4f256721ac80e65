#pragma once

// Note [One argument parser]: every function and method the extension
// defines reads its arguments here, against signatures written as text in
// PyTorch's style:
//
//   "add(Tensor input, Tensor|Number other, *, Number alpha=1) -> Tensor"
//
// A call takes the first signature that accepts every argument it was given
// (by position or keyword, with the defaults filling the rest). When none
// does, the call raises TypeError naming what it was given and every
// signature; a binding never sees arguments of the wrong kind. The same text
// becomes the callable's __doc__, from which tools/stubgen.py writes _C.pyi.
//
// Parameter types: Tensor, Number (bool, int, float, numpy scalar, or a
// 0-d tensor not requiring grad), Tensor|Number (either; numbers become
// wrapped 0-d tensors), int, float, bool, str, dtype, int[] (a sequence of
// ints), int[N] (the same, or one int: PyTorch's int[1] and int[2]),
// int... (sizes given one by one or as one sequence; a last
// positional only), Tensor[] (a sequence of tensors), callable, object
// (anything), list (a list or tuple of anything). A trailing `?` also
// accepts None. `*` starts the keyword-only
// parameters. A method's first parameter is its object: `Tensor self` on
// Tensor, a bare `self` on the other classes.

#include <pybind11/pybind11.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"

namespace py = pybind11;

namespace ag::python {

enum class ParamType : uint8_t {
  Tensor,
  Number,
  TensorOrNumber,
  Int,
  Float,
  Bool,
  String,
  DType,
  IntList,
  TensorList,
  List,  // a list or tuple of anything
  Callable,
  Object,
  Self,  // a method's own object (untyped `self` in a signature)
};

struct Param {
  std::string name;
  std::string type_text;  // as written, for messages and stubs
  ParamType type = ParamType::Object;
  bool allows_none = false;
  bool keyword_only = false;
  bool varargs = false;    // int...: takes the remaining positionals
  bool scalar_ok = false;  // int[N] (not int[]): a single int is accepted
  bool has_default = false;
  std::string default_text;   // as written
  PyObject* default_value{};  // owned for the process's life; null: None
};

class Signature {
 public:
  explicit Signature(const std::string& text);

  const std::string& name() const { return name_; }
  const std::vector<Param>& params() const { return params_; }
  const std::string& text() const { return text_; }
  // The signature as Python code (for __doc__ and the stub).
  std::string python_text(bool is_method) const;
  // "(Tensor input, *, Number alpha = 1)" for error messages.
  std::string message_text(bool is_method) const;

  // Fills out[i] with the object for parameter i (borrowed; null where the
  // default applies). On a mismatch returns false and, when `why` is given,
  // says why. Positional arguments start at args[0].
  // int... parameters given one by one set *varargs_at to the position of
  // the first (kNoVarargs otherwise).
  bool match(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
             PyObject** out, size_t* varargs_at, std::string* why,
             int self_offset) const;

 private:
  std::string text_;
  std::string name_;
  std::string returns_;  // Python type text after "->"
  std::vector<Param> params_;
  size_t positional_ = 0;  // parameters that may be given by position
};

inline constexpr size_t kMaxArgs = 16;
inline constexpr size_t kNoVarargs = static_cast<size_t>(-1);

class Args;

// The signatures of one callable.
class ArgParser {
 public:
  // A method's parser checks its first argument against self_type.
  ArgParser(std::vector<std::string> signatures,
            PyTypeObject* self_type = nullptr);

  // Matches args (self first for a method) against the signatures; raises
  // TypeError when none accepts them.
  Args parse(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) const;

  const std::string& name() const { return signatures_.front().name(); }
  const std::vector<Signature>& signatures() const { return signatures_; }
  bool is_method() const { return self_type_ != nullptr; }
  PyTypeObject* self_type() const { return self_type_; }
  // One line per signature, in Python syntax.
  std::string python_signatures() const;

 private:
  [[noreturn]] void raise_type_error(PyObject* const* args, Py_ssize_t nargs,
                                     PyObject* kwnames) const;

  std::vector<Signature> signatures_;
  PyTypeObject* self_type_;
};

// The arguments of one call, read by parameter index with the conversion
// the parameter's type promises. A getter on a parameter whose value is None
// (or absent without a default) raises TypeError, so bindings need no checks
// of their own; optional_* getters give nullopt for None.
class Args {
 public:
  Args(const Signature& sig, int index) : sig_(&sig), index_(index) {}

  // Which signature matched (0 for the first).
  int index() const { return index_; }
  const Signature& signature() const { return *sig_; }
  PyObject** slots() { return values_.data(); }
  // Holds `owned` for the call and makes it parameter i's value.
  void keep(py::object owned, size_t i);

  bool is_none(size_t i) const;
  // Whether the caller passed this argument (not its default).
  bool given(size_t i) const { return values_[i] != nullptr; }

  Tensor tensor(size_t i) const;
  std::optional<Tensor> optional_tensor(size_t i) const;
  // Tensor|Number: a tensor, or a number wrapped as a 0-d tensor.
  Tensor operand(size_t i) const;
  Scalar scalar(size_t i) const;
  std::optional<Scalar> optional_scalar(size_t i) const;
  int64_t to_int(size_t i) const;
  std::optional<int64_t> optional_int(size_t i) const;
  double to_double(size_t i) const;
  std::optional<double> optional_double(size_t i) const;
  bool to_bool(size_t i) const;
  std::optional<bool> optional_bool(size_t i) const;
  std::string string(size_t i) const;
  std::optional<std::string> optional_string(size_t i) const;
  DType dtype(size_t i) const;
  std::optional<DType> optional_dtype(size_t i) const;
  std::vector<int64_t> int_list(size_t i) const;
  std::optional<std::vector<int64_t>> optional_int_list(size_t i) const;
  Shape shape(size_t i) const;
  TensorList tensor_list(size_t i) const;
  py::list list(size_t i) const;
  py::object object(size_t i) const;
  // A method's object (parameter 0), as the C++ type pybind11 holds.
  template <typename T>
  T& self() const {
    return py::handle(values_[0]).cast<T&>();
  }

 private:
  PyObject* value(size_t i) const;
  [[noreturn]] void none_error(size_t i) const;

  const Signature* sig_;
  int index_;
  std::array<PyObject*, kMaxArgs> values_{};
  py::object owned_;
};

// Type checks the parser uses, shared with the conversions.
bool is_tensor_object(PyObject* obj);
bool is_int_object(PyObject* obj);     // int (not bool), numpy int, __index__
bool is_float_object(PyObject* obj);   // float, int, numpy float/int
bool is_number_object(PyObject* obj);  // bool, int, float, numpy scalar
std::string type_name_of(PyObject* obj);

}  // namespace ag::python
