#include "autograd_cpp/serialize.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd_cpp/check.h"

namespace ag {

namespace {

const char* code_of(DType t) {
  switch (t) {
    case DType::Bool:
      return "BOOL";
    case DType::Int32:
      return "I32";
    case DType::Int64:
      return "I64";
    case DType::Float32:
      return "F32";
    case DType::Float64:
      break;
  }
  return "F64";
}

DType dtype_of(const std::string& code) {
  for (DType t : {DType::Bool, DType::Int32, DType::Int64, DType::Float32,
                  DType::Float64}) {
    if (code == code_of(t)) return t;
  }
  throw Error("safetensors: unsupported dtype " + code);
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The subset of JSON a safetensors header uses: objects, arrays, strings
// and non-negative integers (metadata values are strings).
struct Json {
  enum class Kind { Object, Array, String, Number, Other } kind = Kind::Other;
  std::vector<std::pair<std::string, Json>> object;
  std::vector<Json> array;
  std::string string;
  uint64_t number = 0;
};

class Parser {
 public:
  explicit Parser(const std::string& text) : s_(text) {}
  Json parse() {
    Json v = value();
    skip();
    check(pos_ == s_.size(), "trailing characters");
    return v;
  }

 private:
  void check(bool cond, const char* what) {
    if (!cond)
      throw Error(std::string("safetensors: invalid header (") + what + ")");
  }
  void skip() {
    while (pos_ < s_.size() &&
           std::isspace(static_cast<unsigned char>(s_[pos_])))
      ++pos_;
  }
  char peek() {
    skip();
    check(pos_ < s_.size(), "unexpected end");
    return s_[pos_];
  }
  void expect(char c) {
    check(peek() == c, "unexpected character");
    ++pos_;
  }
  std::string str() {
    expect('"');
    std::string out;
    while (true) {
      check(pos_ < s_.size(), "unterminated string");
      char c = s_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        check(pos_ < s_.size(), "bad escape");
        const char e = s_[pos_++];
        check(e != 'u', "\\u escapes are not supported");
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        out += c;
      }
    }
  }
  Json value() {
    Json v;
    const char c = peek();
    if (c == '{') {
      v.kind = Json::Kind::Object;
      ++pos_;
      if (peek() == '}') {
        ++pos_;
        return v;
      }
      while (true) {
        std::string key = str();
        expect(':');
        v.object.emplace_back(std::move(key), value());
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect('}');
        return v;
      }
    }
    if (c == '[') {
      v.kind = Json::Kind::Array;
      ++pos_;
      if (peek() == ']') {
        ++pos_;
        return v;
      }
      while (true) {
        v.array.push_back(value());
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect(']');
        return v;
      }
    }
    if (c == '"') {
      v.kind = Json::Kind::String;
      v.string = str();
      return v;
    }
    check(std::isdigit(static_cast<unsigned char>(c)) != 0, "expected a value");
    v.kind = Json::Kind::Number;
    while (pos_ < s_.size() &&
           std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
      check(v.number <= (UINT64_MAX - 9) / 10, "number too large");
      v.number = v.number * 10 + static_cast<uint64_t>(s_[pos_++] - '0');
    }
    return v;
  }
  const std::string& s_;
  size_t pos_ = 0;
};

const Json& field(const Json& obj, const char* key) {
  for (const auto& [k, v] : obj.object) {
    if (k == key) return v;
  }
  throw Error(std::string("safetensors: invalid header (missing ") + key + ")");
}

}  // namespace

void save_file(const nn::NamedTensors& tensors, const std::string& path) {
  NoGradGuard no_grad;
  std::set<std::string> names;
  std::vector<std::pair<std::string, Tensor>> order;
  for (const auto& [name, t] : tensors) {
    if (!t.defined()) {
      detail::throw_undefined_argument("save_file",
                                       "tensors[\"" + name + "\"]");
    }
    AG_CHECK(names.insert(name).second, "safetensors: duplicate name ", name);
    order.emplace_back(name, ops::contiguous(t));
  }
  // Larger items first, then by name: as safetensors lays files out, so
  // every tensor's bytes are aligned for its dtype.
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    const size_t ia = itemsize(a.second.dtype()),
                 ib = itemsize(b.second.dtype());
    return ia != ib ? ia > ib : a.first < b.first;
  });
  std::string header = "{";
  uint64_t offset = 0;
  for (const auto& [name, t] : order) {
    const uint64_t nbytes =
        static_cast<uint64_t>(t.numel()) * itemsize(t.dtype());
    std::string shape;
    for (int64_t d = 0; d < t.dim(); ++d) {
      shape += (d ? "," : "") + std::to_string(t.sizes()[d]);
    }
    if (header.size() > 1) header += ",";
    header += quoted(name) + ":{\"dtype\":\"" + code_of(t.dtype()) +
              "\",\"shape\":[" + shape + "],\"data_offsets\":[" +
              std::to_string(offset) + "," + std::to_string(offset + nbytes) +
              "]}";
    offset += nbytes;
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::ofstream out(path, std::ios::binary);
  AG_CHECK(out.good(), "safetensors: cannot write ", path);
  uint64_t length = header.size();
  unsigned char le[8];
  for (int i = 0; i < 8; ++i)
    le[i] = static_cast<unsigned char>(length >> (8 * i));
  out.write(reinterpret_cast<const char*>(le), 8);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  for (const auto& [name, t] : order) {
    out.write(static_cast<const char*>(t.raw_data()),
              static_cast<std::streamsize>(t.numel() * itemsize(t.dtype())));
  }
  AG_CHECK(out.good(), "safetensors: error writing ", path);
}

nn::NamedTensors load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  AG_CHECK(in.good(), "safetensors: cannot open ", path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string data = buffer.str();
  AG_CHECK(data.size() >= 8, "safetensors: file too small");
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) {
    length = (length << 8) |
             static_cast<unsigned char>(data[static_cast<size_t>(i)]);
  }
  AG_CHECK(length <= 100000000 && 8 + length <= data.size(),
           "safetensors: invalid header length ", length);
  const std::string text = data.substr(8, length);
  const Json header = Parser(text).parse();
  AG_CHECK(header.kind == Json::Kind::Object,
           "safetensors: the header is not an object");
  const uint64_t body = data.size() - 8 - length;
  nn::NamedTensors out;
  for (const auto& [name, entry] : header.object) {
    if (name == "__metadata__") continue;
    const DType dtype = dtype_of(field(entry, "dtype").string);
    Shape shape;
    for (const Json& d : field(entry, "shape").array) {
      shape.push_back(static_cast<int64_t>(d.number));
    }
    const auto& offsets = field(entry, "data_offsets").array;
    AG_CHECK(offsets.size() == 2, "safetensors: bad data_offsets for ", name);
    const uint64_t begin = offsets[0].number, end = offsets[1].number;
    AG_CHECK(begin <= end && end <= body &&
                 end - begin ==
                     static_cast<uint64_t>(numel_of(shape)) * itemsize(dtype),
             "safetensors: the offsets of ", name,
             " do not match its shape or the file");
    out.emplace_back(
        name, ops::from_buffer(data.data() + 8 + length + begin, shape, dtype));
  }
  return out;
}

}  // namespace ag
