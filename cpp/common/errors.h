#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace fluvial {

/// Raised for mistakes in the user's job or input: a bad argument, a missing
/// file, a record that does not fit. Its message is shown to the user as is.
class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Raised when the engine itself is wrong: a broken invariant. Never the user's fault.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace detail {
template <typename... Parts>
std::string Concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}
}  // namespace detail

}  // namespace fluvial

/// Throws UserError built from the message parts when 'condition' is false.
/// Static text first, values last: "window size must be positive, got ", size.
#define FLUVIAL_USER_CHECK(condition, ...)                          \
  do {                                                              \
    if (!(condition)) {                                             \
      throw ::fluvial::UserError(::fluvial::detail::Concat(__VA_ARGS__)); \
    }                                                               \
  } while (false)

/// Throws InternalError naming the failed condition and its location.
#define FLUVIAL_CHECK(condition, ...)                                          \
  do {                                                                         \
    if (!(condition)) {                                                        \
      throw ::fluvial::InternalError(::fluvial::detail::Concat(                \
          "internal error: ", #condition, " failed at ", __FILE__, ":",        \
          __LINE__, " ", ##__VA_ARGS__));                                      \
    }                                                                          \
  } while (false)
