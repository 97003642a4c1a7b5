// Shared plumbing for the libtorch shim: every export returns a status code
// (0 = ok, 1 = error) and leaves the error text in a thread-local string that
// the managed binding reads right after the failing call, on the same thread.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#define TS_EXPORT extern "C" __attribute__((visibility("default")))

// A tensor handle is a heap-allocated at::Tensor (one intrusive reference).
typedef at::Tensor* TH;

// A scalar crosses the boundary with its kind so that `int_tensor + 2` stays an
// integer tensor while `int_tensor + 2.5` promotes, exactly as in PyTorch.
struct TsScalar {
  double real;
  int64_t integer;
  int32_t kind;  // 0 = floating point, 1 = integer, 2 = boolean
};

namespace ts {

void set_last_error(const std::string& message);

// Runs `body`, turning every C++ exception into a status code and a message.
// Nothing may unwind across the extern "C" boundary: that would abort .NET.
template <typename F>
int guarded(F&& body) noexcept {
  try {
    body();
    return 0;
  } catch (const c10::Error& e) {
    set_last_error(e.what_without_backtrace());
  } catch (const std::exception& e) {
    set_last_error(e.what());
  } catch (...) {
    set_last_error("unknown native exception in the torch shim");
  }
  return 1;
}

inline TH wrap(at::Tensor t) { return new at::Tensor(std::move(t)); }

// Undefined tensors (e.g. a missing gradient) come back as null handles.
inline TH wrap_or_null(at::Tensor t) { return t.defined() ? wrap(std::move(t)) : nullptr; }

inline c10::optional<at::Tensor> opt(const TH t) {
  return t ? c10::optional<at::Tensor>(*t) : c10::nullopt;
}

inline at::Tensor or_undefined(const TH t) { return t ? *t : at::Tensor(); }

inline at::Scalar scalar(const TsScalar& s) {
  switch (s.kind) {
    case 1: return at::Scalar(s.integer);
    case 2: return at::Scalar(s.integer != 0);
    default: return at::Scalar(s.real);
  }
}

inline at::IntArrayRef dims(const int64_t* values, int64_t count) {
  return at::IntArrayRef(values, static_cast<size_t>(count));
}

inline std::vector<at::Tensor> tensor_list(const TH* handles, int64_t count) {
  std::vector<at::Tensor> list;
  list.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) list.push_back(*handles[i]);
  return list;
}

inline at::Device device(int32_t type, int32_t index) {
  return at::Device(static_cast<c10::DeviceType>(type), static_cast<c10::DeviceIndex>(index));
}

inline at::TensorOptions options(int32_t dtype, int32_t device_type, int32_t device_index) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(device(device_type, device_index));
}

// Returns a list of tensors as a malloc'd array the caller frees with ts_free.
inline void wrap_list(const std::vector<at::Tensor>& list, TH** out, int64_t* count) {
  auto* array = static_cast<TH*>(std::malloc(sizeof(TH) * (list.empty() ? 1 : list.size())));
  if (!array) throw std::bad_alloc();
  for (size_t i = 0; i < list.size(); ++i) array[i] = wrap(list[i]);
  *out = array;
  *count = static_cast<int64_t>(list.size());
}

}  // namespace ts

// Shorthand for the common "compute one tensor into *out" export body.
#define TS_RETURN(expr) return ts::guarded([&] { *out = ts::wrap(expr); })
