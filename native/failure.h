// The failures blasnet's C++ throws: an error code of lib/errors.ts, a message in the library's
// format, and a kind (the built-in class used only before lib/native.ts configures the addon; after
// that, ERROR_CLASSES in lib/errors.ts gives each code its class); plus overflow-checked size
// arithmetic and the BLAS dimension check. Plain C++ (no napi.h): kernels and the thread team
// include it; the boundary (boundary.h) turns every exception into a JS error.
#pragma once
#include <climits>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>

namespace blasnet {

// ---------------------------------------------------------------------------------------------
// Failures: what any layer below the boundary throws. No N-API needed to throw one.

enum class ErrorKind { error, type, range };

struct Failure : std::exception {
  std::string code, message;
  ErrorKind kind;
  Failure(std::string c, std::string m, ErrorKind k = ErrorKind::error) : code(std::move(c)), message(std::move(m)), kind(k) {}
  const char* what() const noexcept override { return message.c_str(); }
};

[[noreturn]] inline void fail_type(const std::string& code, const std::string& message) { throw Failure(code, message, ErrorKind::type); }
[[noreturn]] inline void fail_range(const std::string& code, const std::string& message) { throw Failure(code, message, ErrorKind::range); }

// The coded description of the exception being handled (call only inside a catch block).
inline Failure current_failure() noexcept {
  try {
    throw;
  } catch (const Failure& f) {
    return f;
  } catch (const std::bad_alloc&) {
    return Failure("ERR_BLASNET_OUT_OF_MEMORY", "out of memory: the native buffers of this call could not be allocated");
  } catch (const std::length_error& e) {
    return Failure("ERR_BLASNET_OUT_OF_MEMORY", std::string("out of memory: a native buffer would exceed the largest possible size (") + e.what() + ")");
  } catch (const std::system_error& e) {
    return Failure("ERR_BLASNET_NATIVE", std::string("native error: ") + e.what() + " (" + std::to_string(e.code().value()) + ")");
  } catch (const std::exception& e) {
    return Failure("ERR_BLASNET_NATIVE", std::string("native error: ") + e.what());
  } catch (...) {
    return Failure("ERR_BLASNET_NATIVE", "native error: an unknown exception was thrown");
  }
}

// ---------------------------------------------------------------------------------------------
// Sizes: every product overflow-checked, every BLAS dimension within the BLAS integer type.

constexpr size_t kMaxBlasDim = static_cast<size_t>(INT_MAX);

inline size_t checked_mul(size_t a, size_t b, const char* what) {
  if (a != 0 && b > SIZE_MAX / a) fail_range("ERR_BLASNET_OUT_OF_MEMORY", std::string(what) + " overflows: " + std::to_string(a) + " × " + std::to_string(b));
  return a * b;
}
inline size_t checked_add(size_t a, size_t b, const char* what) {
  if (b > SIZE_MAX - a) fail_range("ERR_BLASNET_OUT_OF_MEMORY", std::string(what) + " overflows: " + std::to_string(a) + " + " + std::to_string(b));
  return a + b;
}
inline void check_blas_dim(size_t v, const char* name) {
  if (v > kMaxBlasDim)
    fail_range("ERR_BLASNET_ARG_RANGE", std::string(name) + " must be at most " + std::to_string(kMaxBlasDim) +
                                            " (the largest BLAS dimension), got " + std::to_string(v));
}

}  // namespace blasnet
