#pragma once

#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace ag {

// Each maps to the Python exception of the same name in the bindings.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class IndexError : public Error {
 public:
  using Error::Error;
};
class TypeError : public Error {
 public:
  using Error::Error;
};
class ValueError : public Error {
 public:
  using Error::Error;
};
class NotImplementedError : public Error {
 public:
  using Error::Error;
};
// A failed allocation (Python's MemoryError), saying how much was asked for.
class OutOfMemoryError : public std::bad_alloc {
 public:
  explicit OutOfMemoryError(std::string message)
      : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

namespace detail {
template <typename... Args>
std::string str_cat(Args&&... args) {
  std::ostringstream ss;
  (ss << ... << std::forward<Args>(args));
  return ss.str();
}
}  // namespace detail

}  // namespace ag

// AG_CHECK(cond, parts...) throws ag::Error with the parts streamed together.
#define AG_CHECK_AS(kind, cond, ...)                             \
  do {                                                           \
    if (!(cond)) throw kind(::ag::detail::str_cat(__VA_ARGS__)); \
  } while (0)
#define AG_CHECK(cond, ...) AG_CHECK_AS(::ag::Error, cond, __VA_ARGS__)
#define AG_INDEX_CHECK(cond, ...) \
  AG_CHECK_AS(::ag::IndexError, cond, __VA_ARGS__)
#define AG_TYPE_CHECK(cond, ...) AG_CHECK_AS(::ag::TypeError, cond, __VA_ARGS__)
