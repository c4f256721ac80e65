#include "python/arg_parser.h"

#include <cstring>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "autograd/autograd_meta.h"
#include "python/convert.h"

namespace ag::python {

// ---- type checks ------------------------------------------------------------

namespace {

PyTypeObject* tensor_type() {
  // Borrowed from the module (Note [Borrowed globals]).
  static PyTypeObject* type = reinterpret_cast<PyTypeObject*>(
      py::detail::get_type_handle(typeid(TensorImpl), true).ptr());
  return type;
}

PyObject* numpy_attr(const char* name) {
  // Borrowed: numpy stays in sys.modules (Note [Borrowed globals]).
  static py::handle numpy = py::module_::import("numpy").release();
  return py::object(numpy.attr(name)).release().ptr();
}

bool is_numpy_instance(PyObject* obj, const char* type) {
  // Cheap rejection first: numpy scalars' types live in module "numpy".
  const char* tp = Py_TYPE(obj)->tp_name;
  if (std::strncmp(tp, "numpy.", 6) != 0) return false;
  static std::unordered_map<std::string, PyObject*> types;
  auto it = types.find(type);
  if (it == types.end()) it = types.emplace(type, numpy_attr(type)).first;
  return PyObject_IsInstance(obj, it->second) == 1;
}

bool is_scalar_tensor(PyObject* obj) {
  if (!is_tensor_object(obj)) return false;
  const Tensor t = py::handle(obj).cast<Tensor>();
  return t.dim() == 0 && !autograd::requires_grad(t);
}

bool is_int_tensor(PyObject* obj) {
  if (!is_scalar_tensor(obj)) return false;
  const DType d = py::handle(obj).cast<Tensor>().dtype();
  return !is_floating(d) && d != DType::Bool;
}

// An element of an int list (sizes, dims) as PyTorch's parser takes it: an
// int, or a one-element tensor of an integer or bool dtype, whatever its
// number of dims (a lone int parameter takes only 0-d ones, is_int_tensor).
bool is_int_like(PyObject* obj) {
  if (is_int_object(obj)) return true;
  if (!is_tensor_object(obj)) return false;
  const Tensor t = py::handle(obj).cast<Tensor>();
  return t.numel() == 1 && is_integral(t.dtype(), /*include_bool=*/true);
}

// PyTorch types sizes (view's, repeat's, roll's shifts) as SymInt[], whose
// tensor elements it reads with item<int64_t>(), which refuses bool; dims
// are int[], read through __index__, which takes a bool tensor as 0 or 1.
bool is_size_list(const Param& p) {
  static const std::unordered_set<std::string> sizes = {
      "size", "sizes", "shape", "repeats", "shifts"};
  return sizes.count(p.name) != 0;
}

// Reads an int list's elements in order as PyTorch converts them: a bool
// tensor in a size list raises its RuntimeError; something other than an int
// its TypeError (positionals given for int... reach here unchecked past the
// first, as PyTorch's parser looks only at that one). A lone value is checked
// as an element when given for int... (PyTorch gathers the positionals into
// the list); one standing for int[1] (roll's shifts) goes through __index__.
void check_int_list_items(const std::string& fn, const Param& p, PyObject* v) {
  if (!PyTuple_Check(v) && !PyList_Check(v)) {
    if (!p.varargs) return;
    const py::tuple one = py::make_tuple(py::handle(v));
    check_int_list_items(fn, p, one.ptr());
    return;
  }
  const bool sizes = is_size_list(p);
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(v);
  PyObject** items = PySequence_Fast_ITEMS(v);
  for (Py_ssize_t k = 0; k < n; ++k) {
    if (sizes && is_tensor_object(items[k]) &&
        py::handle(items[k]).cast<Tensor>().dtype() == DType::Bool) {
      throw std::runtime_error(
          "Expected scalar.isIntegral( false) to be true, but got false.  "
          "(Could this error message be improved?  If so, please report an "
          "enhancement request to PyTorch.)");
    }
    if (!is_int_like(items[k])) {
      throw py::type_error(fn + "(): argument '" + p.name +
                           "' must be tuple of ints, but found element of "
                           "type " +
                           type_name_of(items[k]) + " at pos " +
                           std::to_string(k));
    }
  }
}

bool is_sequence_of(PyObject* obj, bool (*check)(PyObject*)) {
  if (!PyTuple_Check(obj) && !PyList_Check(obj)) return false;
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(obj);
  PyObject** items = PySequence_Fast_ITEMS(obj);
  for (Py_ssize_t i = 0; i < n; ++i) {
    if (!check(items[i])) return false;
  }
  return true;
}

bool is_dtype_object(PyObject* obj) {
  return py::isinstance<PyDType>(obj) ||
         obj == reinterpret_cast<PyObject*>(&PyFloat_Type) ||
         obj == reinterpret_cast<PyObject*>(&PyLong_Type) ||
         obj == reinterpret_cast<PyObject*>(&PyBool_Type);
}

bool accepts(const Param& p, PyObject* obj) {
  if (obj == Py_None) {
    return p.allows_none || p.type == ParamType::Object ||
           p.type == ParamType::Self;
  }
  switch (p.type) {
    case ParamType::Tensor:
      return is_tensor_object(obj);
    case ParamType::Number:
      return is_number_object(obj) || is_scalar_tensor(obj);
    case ParamType::TensorOrNumber:
      return is_tensor_object(obj) || is_number_object(obj) ||
             is_numpy_instance(obj, "ndarray");
    case ParamType::Int:
      return is_int_object(obj) || is_int_tensor(obj);
    case ParamType::Float:
      return is_float_object(obj) || is_scalar_tensor(obj);
    case ParamType::Bool:
      return PyBool_Check(obj) || is_numpy_instance(obj, "bool_");
    case ParamType::String:
      return PyUnicode_Check(obj);
    case ParamType::DType:
      return is_dtype_object(obj);
    case ParamType::IntList:
      return (p.scalar_ok && is_int_like(obj)) ||
             is_sequence_of(obj, &is_int_like);
    case ParamType::TensorList:
      return is_sequence_of(obj, &is_tensor_object);
    case ParamType::List:
      return PyList_Check(obj) || PyTuple_Check(obj);
    case ParamType::Callable:
      return PyCallable_Check(obj) != 0;
    case ParamType::Object:
    case ParamType::Self:
      return true;
  }
  return false;
}

// What a parameter's type accepts, for messages ("must be Tensor, not str").
std::string expected_text(const Param& p) {
  switch (p.type) {
    case ParamType::IntList:
      return "tuple of ints";
    case ParamType::TensorList:
      return "tuple of Tensors";
    case ParamType::TensorOrNumber:
      return "Tensor or Number";
    default:
      break;
  }
  std::string t = p.type_text;
  if (!t.empty() && t.back() == '?') t.pop_back();
  return t;
}

}  // namespace

bool is_tensor_object(PyObject* obj) {
  return PyObject_TypeCheck(obj, tensor_type());
}

bool is_int_object(PyObject* obj) {
  if (PyLong_Check(obj)) return !PyBool_Check(obj);
  if (PyFloat_Check(obj) || PyBool_Check(obj) || PyUnicode_Check(obj)) {
    return false;
  }
  if (is_tensor_object(obj)) return false;
  if (is_numpy_instance(obj, "integer")) return true;
  // Objects that say they are integers (operator.index works on them);
  // numpy arrays have __index__ too, but are not integers.
  return Py_TYPE(obj)->tp_as_number != nullptr &&
         Py_TYPE(obj)->tp_as_number->nb_index != nullptr &&
         !is_numpy_instance(obj, "generic") &&
         !is_numpy_instance(obj, "ndarray");
}

bool is_float_object(PyObject* obj) {
  return PyFloat_Check(obj) || PyLong_Check(obj) ||
         is_numpy_instance(obj, "number") || is_numpy_instance(obj, "bool_");
}

bool is_number_object(PyObject* obj) {
  return PyBool_Check(obj) || PyLong_Check(obj) || PyFloat_Check(obj) ||
         is_numpy_instance(obj, "number") || is_numpy_instance(obj, "bool_");
}

std::string type_name_of(PyObject* obj) {
  if (is_tensor_object(obj)) return "Tensor";
  if (py::isinstance<PyDType>(obj)) return "dtype";
  return Py_TYPE(obj)->tp_name;
}

// ---- signatures -------------------------------------------------------------

namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\n");
  return s.substr(b, e - b + 1);
}

// Splits at commas outside brackets and quotes.
std::vector<std::string> split_params(const std::string& s) {
  std::vector<std::string> out;
  int depth = 0;
  char quote = 0;
  std::string cur;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[') {
      ++depth;
    } else if (c == ')' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(trim(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!trim(cur).empty()) out.push_back(trim(cur));
  return out;
}

ParamType parse_type(const std::string& t, const std::string& sig) {
  static const std::unordered_map<std::string, ParamType> types = {
      {"Tensor", ParamType::Tensor},
      {"Number", ParamType::Number},
      {"Tensor|Number", ParamType::TensorOrNumber},
      {"int", ParamType::Int},
      {"float", ParamType::Float},
      {"bool", ParamType::Bool},
      {"str", ParamType::String},
      {"dtype", ParamType::DType},
      {"int[]", ParamType::IntList},
      {"int...", ParamType::IntList},
      {"Tensor...", ParamType::TensorList},
      {"object...", ParamType::Object},
      {"Tensor[]", ParamType::TensorList},
      {"callable", ParamType::Callable},
      {"list", ParamType::List},
      {"object", ParamType::Object},
  };
  const auto it = types.find(t);
  AG_CHECK(it != types.end(), "signature '", sig, "': unknown type '", t, "'");
  return it->second;
}

// The Python object for a default written in a signature; null for None.
PyObject* parse_default(const std::string& text) {
  if (text == "None") return nullptr;
  py::object value =
      py::module_::import("ast").attr("literal_eval")(py::str(text));
  if (PyList_Check(value.ptr())) value = py::tuple(value);
  return value.release().ptr();  // kept for the process's life
}

}  // namespace

Signature::Signature(const std::string& text) : text_(text) {
  const size_t open = text.find('(');
  const size_t close = text.rfind(')');
  AG_CHECK(
      open != std::string::npos && close != std::string::npos && close > open,
      "malformed signature '", text, "'");
  name_ = trim(text.substr(0, open));
  const size_t arrow = text.find("->", close);
  returns_ = arrow == std::string::npos ? "None" : trim(text.substr(arrow + 2));
  bool keyword_only = false;
  for (const std::string& item :
       split_params(text.substr(open + 1, close - open - 1))) {
    if (item == "*") {
      keyword_only = true;
      continue;
    }
    Param p;
    std::string decl = item;
    const size_t eq = item.find('=');
    if (eq != std::string::npos) {
      decl = trim(item.substr(0, eq));
      p.has_default = true;
      p.default_text = trim(item.substr(eq + 1));
      p.default_value = parse_default(p.default_text);
    }
    const size_t space = decl.rfind(' ');
    if (space == std::string::npos && decl == "self" && params_.empty()) {
      p.name = "self";
      p.type = ParamType::Self;
      ++positional_;
      params_.push_back(std::move(p));
      continue;
    }
    AG_CHECK(space != std::string::npos, "signature '", text, "': parameter '",
             item, "' lacks a type");
    p.type_text = trim(decl.substr(0, space));
    p.name = trim(decl.substr(space + 1));
    std::string t = p.type_text;
    if (!t.empty() && t.back() == '?') {
      p.allows_none = true;
      t.pop_back();
    }
    // int[1], int[2]: PyTorch's fixed-size int lists, which a single int
    // also fills.
    if (t.size() > 5 && t.compare(0, 4, "int[") == 0 && t.back() == ']' &&
        t != "int[]") {
      t = "int[]";
      p.scalar_ok = true;
    }
    p.type = parse_type(t, text);
    p.varargs = t == "int..." || t == "Tensor..." || t == "object...";
    if (t == "int...") p.scalar_ok = true;
    p.keyword_only = keyword_only;
    if (p.has_default && p.default_value == nullptr) p.allows_none = true;
    if (!keyword_only) ++positional_;
    params_.push_back(std::move(p));
  }
  AG_CHECK(params_.size() <= kMaxArgs, "signature '", text,
           "': too many "
           "parameters");
}

namespace {

// The stub's spelling of a parameter type.
std::string python_type(const Param& p) {
  std::string t;
  switch (p.type) {
    case ParamType::Tensor:
      t = "Tensor";
      break;
    case ParamType::Number:
      t = "_Number";
      break;
    case ParamType::TensorOrNumber:
      t = "Tensor | _Number";
      break;
    case ParamType::Int:
      t = "_int";
      break;
    case ParamType::Float:
      t = "_float";
      break;
    case ParamType::Bool:
      t = "_bool";
      break;
    case ParamType::String:
      t = "_str";
      break;
    case ParamType::DType:
      t = "_dtype";
      break;
    case ParamType::IntList:
      t = p.scalar_ok ? "_int | collections.abc.Sequence[_int]"
                      : "collections.abc.Sequence[_int]";
      break;
    case ParamType::TensorList:
      t = "collections.abc.Sequence[Tensor]";
      break;
    case ParamType::List:
      t = "collections.abc.Sequence[typing.Any]";
      break;
    case ParamType::Callable:
      t = "collections.abc.Callable[..., typing.Any]";
      break;
    case ParamType::Object:
    case ParamType::Self:
      t = "typing.Any";
      break;
  }
  if (p.allows_none && p.type != ParamType::Object) t += " | None";
  return t;
}

}  // namespace

std::string Signature::python_text(bool is_method) const {
  // A parameter named after a Python keyword (uniform_'s `from`) can only
  // be passed by position; Python spells it with a trailing underscore.
  static const std::unordered_set<std::string> keywords = {
      "from", "lambda", "in", "is", "global", "import", "class", "def"};
  std::ostringstream os;
  os << name_ << "(";
  bool first = true;
  bool star = false;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Param& p = params_[i];
    if (!first) os << ", ";
    first = false;
    if (is_method && i == 0) {
      os << "self";
      continue;
    }
    if (p.keyword_only && !star) {
      os << "*, ";
      star = true;
    }
    if (p.varargs) {
      star = true;  // what follows *args is keyword-only already
      os << "*" << p.name << ": "
         << (p.type == ParamType::TensorList
                 ? "Tensor | collections.abc.Sequence[Tensor]"
                 : python_type(p));
      continue;
    }
    os << p.name << (keywords.count(p.name) ? "_" : "") << ": "
       << python_type(p);
    if (p.has_default) os << " = " << p.default_text;
  }
  os << ") -> " << returns_;
  return os.str();
}

std::string Signature::message_text(bool is_method) const {
  std::ostringstream os;
  os << "(";
  bool first = true;
  bool star = false;
  for (size_t i = is_method ? 1 : 0; i < params_.size(); ++i) {
    const Param& p = params_[i];
    if (!first) os << ", ";
    first = false;
    if (p.keyword_only && !star) {
      os << "*, ";
      star = true;
    }
    os << p.type_text << " " << p.name;
    if (p.has_default) os << " = " << p.default_text;
  }
  os << ")";
  return os.str();
}

bool Signature::match(PyObject* const* args, Py_ssize_t nargs,
                      PyObject* kwnames, PyObject** out, size_t* varargs_at,
                      std::string* why, int self_offset) const {
  const auto fail = [&](const std::string& msg) {
    if (why) *why = msg;
    return false;
  };
  const auto position = [&](size_t i) {
    return std::to_string(static_cast<int64_t>(i) + 1 - self_offset);
  };
  for (size_t i = 0; i < params_.size(); ++i) out[i] = nullptr;
  *varargs_at = kNoVarargs;
  const auto n = static_cast<size_t>(nargs);
  size_t used = 0;
  if (self_offset == 1 && n > 0) out[used++] = args[0];  // checked by parse()
  for (size_t i = used; i < positional_ && used < n; ++i) {
    const Param& p = params_[i];
    const bool ints = p.type == ParamType::IntList;
    const bool tensors = p.type == ParamType::TensorList;
    if (p.varargs && (n - used > 1 || p.type == ParamType::Object ||
                      (tensors && is_tensor_object(args[used])))) {
      // Elements given one by one (int..., Tensor...: each must be one);
      // the binding reads them back as a tuple (see ArgParser::parse).
      // Ints: PyTorch's parser looks only at the first; the rest are
      // checked as they are read (check_int_list_items).
      const size_t last = ints ? used + 1 : n;
      for (size_t j = used; j < last && (ints || tensors); ++j) {
        if (!(ints ? is_int_like(args[j]) : is_tensor_object(args[j]))) {
          return fail(name_ + "(): argument '" + p.name +
                      "' must be tuple "
                      "of " +
                      (ints ? "ints" : "Tensors") +
                      ", but found element of type " + type_name_of(args[j]) +
                      " at pos " + std::to_string(j - used));
        }
      }
      *varargs_at = used;
      out[i] = nullptr;
      used = n;
      break;
    }
    if (!accepts(p, args[used])) {
      return fail(name_ + "(): argument '" + p.name + "' (position " +
                  position(i) + ") must be " + expected_text(p) + ", not " +
                  type_name_of(args[used]));
    }
    out[i] = args[used++];
  }
  if (used < n) {
    const size_t takes = positional_ - static_cast<size_t>(self_offset);
    return fail(name_ + "() takes " + std::to_string(takes) +
                " positional argument" + (takes == 1 ? "" : "s") + " but " +
                std::to_string(n - static_cast<size_t>(self_offset)) +
                (n - static_cast<size_t>(self_offset) == 1 ? " was" : " were") +
                " given");
  }
  const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  for (Py_ssize_t k = 0; k < nkw; ++k) {
    PyObject* key = PyTuple_GET_ITEM(kwnames, k);
    PyObject* value = args[nargs + k];
    size_t i = 0;
    while (i < params_.size() && PyUnicode_CompareWithASCIIString(
                                     key, params_[i].name.c_str()) != 0) {
      ++i;
    }
    if (i == params_.size() ||
        (self_offset == 1 && i == 0)) {  // self is never a keyword
      return fail(name_ + "() got an unexpected keyword argument '" +
                  py::str(key).cast<std::string>() + "'");
    }
    const Param& p = params_[i];
    if (out[i] != nullptr || (p.varargs && *varargs_at != kNoVarargs)) {
      return fail(name_ + "() got multiple values for argument '" + p.name +
                  "'");
    }
    if (!accepts(p, value)) {
      return fail(name_ + "(): argument '" + p.name + "' must be " +
                  expected_text(p) + ", not " + type_name_of(value));
    }
    out[i] = value;
  }
  for (size_t i = 0; i < params_.size(); ++i) {
    const Param& p = params_[i];
    const bool varargs_taken = p.varargs && *varargs_at != kNoVarargs;
    // object... may be empty (broadcast_shapes()).
    const bool may_be_empty = p.varargs && p.type == ParamType::Object;
    if (out[i] == nullptr && !p.has_default && !varargs_taken &&
        !may_be_empty) {
      return fail(name_ + "() missing required argument '" + p.name +
                  "' (pos " + position(i) + ")");
    }
  }
  return true;
}

// ---- parser -----------------------------------------------------------------

ArgParser::ArgParser(std::vector<std::string> signatures,
                     PyTypeObject* self_type)
    : self_type_(self_type) {
  for (const std::string& s : signatures) signatures_.emplace_back(s);
  AG_CHECK(!signatures_.empty(), "a callable needs a signature");
  for (const Signature& s : signatures_) {
    AG_CHECK(
        !self_type || (!s.params().empty() && !s.params().front().keyword_only),
        "method signature '", s.text(), "' lacks self");
  }
}

std::string ArgParser::python_signatures() const {
  std::string out;
  for (const Signature& s : signatures_) {
    out += s.python_text(is_method());
    out += "\n";
  }
  return out;
}

Args ArgParser::parse(PyObject* const* args, Py_ssize_t nargs,
                      PyObject* kwnames) const {
  const int self_offset = is_method() ? 1 : 0;
  if (self_type_ && (nargs == 0 || !PyObject_TypeCheck(args[0], self_type_))) {
    throw py::type_error(
        "descriptor '" + name() + "' for '" + self_type_->tp_name +
        "' objects doesn't apply to a '" +
        (nargs == 0 ? std::string("nothing") : type_name_of(args[0])) +
        "' object");
  }
  for (size_t s = 0; s < signatures_.size(); ++s) {
    Args out(signatures_[s], static_cast<int>(s));
    size_t varargs_at = kNoVarargs;
    if (signatures_[s].match(args, nargs, kwnames, out.slots(), &varargs_at,
                             nullptr, self_offset)) {
      if (varargs_at != kNoVarargs) {
        // int... given one by one: gathered into a tuple for the binding.
        const auto start = static_cast<Py_ssize_t>(varargs_at);
        py::tuple rest(nargs - start);
        for (Py_ssize_t j = start; j < nargs; ++j) {
          rest[static_cast<size_t>(j - start)] =
              py::reinterpret_borrow<py::object>(args[j]);
        }
        size_t param = 0;
        while (!signatures_[s].params()[param].varargs) ++param;
        out.keep(std::move(rest), param);
      }
      return out;
    }
  }
  raise_type_error(args, nargs, kwnames);
}

void ArgParser::raise_type_error(PyObject* const* args, Py_ssize_t nargs,
                                 PyObject* kwnames) const {
  const int self_offset = is_method() ? 1 : 0;
  if (signatures_.size() == 1) {
    std::string why;
    PyObject* raw[kMaxArgs] = {};
    size_t varargs_at = kNoVarargs;
    signatures_[0].match(args, nargs, kwnames, raw, &varargs_at, &why,
                         self_offset);
    throw py::type_error(why);
  }
  std::ostringstream os;
  os << name() << "() received an invalid combination of arguments - got (";
  bool first = true;
  for (Py_ssize_t i = self_offset; i < nargs; ++i) {
    os << (first ? "" : ", ") << type_name_of(args[i]);
    first = false;
  }
  const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  for (Py_ssize_t k = 0; k < nkw; ++k) {
    os << (first ? "" : ", ")
       << py::str(PyTuple_GET_ITEM(kwnames, k)).cast<std::string>() << "="
       << type_name_of(args[nargs + k]);
    first = false;
  }
  os << "), but expected one of:";
  for (const Signature& s : signatures_) {
    os << "\n * " << s.message_text(is_method());
  }
  throw py::type_error(os.str());
}

// ---- reading arguments ------------------------------------------------------

PyObject* Args::value(size_t i) const {
  if (values_[i] != nullptr) return values_[i];
  const Param& p = sig_->params()[i];
  return p.default_value != nullptr ? p.default_value : Py_None;
}

bool Args::is_none(size_t i) const {
  return value(i) == Py_None;
}

void Args::none_error(size_t i) const {
  const Param& p = sig_->params()[i];
  throw py::type_error(sig_->name() + "(): argument '" + p.name + "' must be " +
                       expected_text(p) + ", not None");
}

void Args::keep(py::object owned, size_t i) {
  values_[i] = owned.ptr();
  owned_ = std::move(owned);
}

Tensor Args::tensor(size_t i) const {
  PyObject* v = value(i);
  if (v == Py_None) none_error(i);
  return py::handle(v).cast<Tensor>();
}

std::optional<Tensor> Args::optional_tensor(size_t i) const {
  if (is_none(i)) return std::nullopt;
  return tensor(i);
}

Tensor Args::operand(size_t i) const {
  PyObject* v = value(i);
  if (v == Py_None) none_error(i);
  std::optional<Tensor> t = to_operand(v);
  if (!t) none_error(i);
  return *t;
}

Scalar Args::scalar(size_t i) const {
  PyObject* v = value(i);
  if (v == Py_None) none_error(i);
  return to_scalar(v);
}

std::optional<Scalar> Args::optional_scalar(size_t i) const {
  if (is_none(i)) return std::nullopt;
  return scalar(i);
}

int64_t Args::to_int(size_t i) const {
  PyObject* v = value(i);
  if (v == Py_None) none_error(i);
  if (is_tensor_object(v))
    return py::handle(v).cast<Tensor>().item().to<int64_t>();
  return int_value(v, sig_->params()[i].name.c_str());
}

std::optional<int64_t> Args::optional_int(size_t i) const {
  if (is_none(i)) return std::nullopt;
  return to_int(i);
}

double Args::to_double(size_t i) const {
  PyObject* v = value(i);
  if (v == Py_None) none_error(i);
  return to_scalar(v).to<double>();
}

std::optional<double> Args::optional_double(size_t i) const {
  if (is_none(i)) return std::nullopt;
  return to_double(i);
}

bool Args::to_bool(size_t i) const {
  PyObject* v = value(i);
  if (v == Py_None) none_error(i);
  return PyObject_IsTrue(v) == 1;
}

std::optional<bool> Args::optional_bool(size_t i) const {
  if (is_none(i)) return std::nullopt;
  return to_bool(i);
}

std::string Args::string(size_t i) const {
  PyObject* v = value(i);
  if (v == Py_None) none_error(i);
  return py::handle(v).cast<std::string>();
}

std::optional<std::string> Args::optional_string(size_t i) const {
  if (is_none(i)) return std::nullopt;
  return string(i);
}

DType Args::dtype(size_t i) const {
  PyObject* v = value(i);
  if (v == Py_None) none_error(i);
  return to_dtype(v);
}

std::optional<DType> Args::optional_dtype(size_t i) const {
  if (is_none(i)) return std::nullopt;
  return dtype(i);
}

std::vector<int64_t> Args::int_list(size_t i) const {
  PyObject* v = value(i);
  if (v == Py_None) none_error(i);
  check_int_list_items(sig_->name(), sig_->params()[i], v);
  return python::int_list(v);
}

std::optional<std::vector<int64_t>> Args::optional_int_list(size_t i) const {
  if (is_none(i)) return std::nullopt;
  return int_list(i);
}

Shape Args::shape(size_t i) const {
  const std::vector<int64_t> v = int_list(i);
  return Shape(v.begin(), v.end());
}

TensorList Args::tensor_list(size_t i) const {
  PyObject* v = value(i);
  if (v == Py_None) none_error(i);
  TensorList out;
  for (py::handle item : py::reinterpret_borrow<py::sequence>(v)) {
    out.push_back(item.cast<Tensor>());
  }
  return out;
}

py::list Args::list(size_t i) const {
  PyObject* v = value(i);
  if (v == Py_None) none_error(i);
  return py::list(py::reinterpret_borrow<py::object>(v));
}

py::object Args::object(size_t i) const {
  return py::reinterpret_borrow<py::object>(value(i));
}

}  // namespace ag::python
