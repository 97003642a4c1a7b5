// Tensor lifetime, metadata, creation, conversion, views and shape ops, autograd
// switches and random generators.
#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/api/include/torch/version.h>

#include "shim_common.h"

namespace {
thread_local std::string last_error;

// glibc hands large buffers back to the kernel by default; identical conv
// workloads then vary 10-20x run to run from page faults (DESIGN.md). Raise the
// mmap and trim thresholds once, when the shim is loaded, and keep blocks above
// glibc's 32 MB mmap cap on the heap too (M_MMAP_MAX = 0). Large tensors do not
// depend on this: cpu_pool.cpp caches them whatever thread frees them.
__attribute__((constructor)) void tune_malloc() {
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
  mallopt(M_MMAP_MAX, 0);
}
}  // namespace

void ts::set_last_error(const std::string& message) { last_error = message; }

TS_EXPORT const char* ts_last_error() { return last_error.c_str(); }

TS_EXPORT void ts_free(void* p) { std::free(p); }

// --- runtime ----------------------------------------------------------------

// libtorch defaults to one thread on these machines: the binding always calls
// this at start-up with an explicit count (<= 0 means one per hardware thread).
TS_EXPORT int ts_set_num_threads(int32_t threads) {
  return ts::guarded([&] {
    int n = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
    at::set_num_threads(n > 0 ? n : 1);
  });
}

TS_EXPORT int ts_get_num_threads(int32_t* out) {
  return ts::guarded([&] { *out = at::get_num_threads(); });
}

TS_EXPORT int ts_manual_seed(uint64_t seed) {
  return ts::guarded([&] { at::manual_seed(seed); });
}

TS_EXPORT int ts_version(const char** out) {
  return ts::guarded([&] {
    static const std::string version = std::to_string(TORCH_VERSION_MAJOR) + "." +
                                       std::to_string(TORCH_VERSION_MINOR) + "." +
                                       std::to_string(TORCH_VERSION_PATCH);
    *out = version.c_str();
  });
}

// --- lifetime and metadata ------------------------------------------------------

TS_EXPORT void ts_tensor_free(TH t) { delete t; }

TS_EXPORT int ts_dim(TH t, int64_t* out) { return ts::guarded([&] { *out = t->dim(); }); }

TS_EXPORT int ts_sizes(TH t, int64_t* out) {
  return ts::guarded([&] {
    auto sizes = t->sizes();
    std::copy(sizes.begin(), sizes.end(), out);
  });
}

TS_EXPORT int ts_strides(TH t, int64_t* out) {
  return ts::guarded([&] {
    auto strides = t->strides();
    std::copy(strides.begin(), strides.end(), out);
  });
}

TS_EXPORT int ts_dtype(TH t, int32_t* out) {
  return ts::guarded([&] { *out = static_cast<int32_t>(t->scalar_type()); });
}

TS_EXPORT int ts_device(TH t, int32_t* type, int32_t* index) {
  return ts::guarded([&] {
    *type = static_cast<int32_t>(t->device().type());
    *index = t->device().index();
  });
}

TS_EXPORT int ts_numel(TH t, int64_t* out) { return ts::guarded([&] { *out = t->numel(); }); }

TS_EXPORT int ts_is_contiguous(TH t, int32_t* out) {
  return ts::guarded([&] { *out = t->is_contiguous() ? 1 : 0; });
}

TS_EXPORT int ts_item_double(TH t, double* out) {
  return ts::guarded([&] { *out = t->item<double>(); });
}

TS_EXPORT int ts_item_long(TH t, int64_t* out) {
  return ts::guarded([&] { *out = t->item<int64_t>(); });
}

TS_EXPORT int ts_to_string(TH t, char** out) {
  return ts::guarded([&] {
    std::ostringstream text;
    text << *t;
    std::string s = text.str();
    *out = static_cast<char*>(std::malloc(s.size() + 1));
    std::memcpy(*out, s.c_str(), s.size() + 1);
  });
}

// --- creation and conversion ---------------------------------------------------

// Copies `nbytes` from managed memory into a new CPU tensor of the given shape.
TS_EXPORT int ts_from_buffer(const void* data, int64_t nbytes, const int64_t* shape, int64_t ndim,
                             int32_t dtype, TH* out) {
  return ts::guarded([&] {
    auto t = at::empty(ts::dims(shape, ndim), ts::options(dtype, 0, -1));
    TORCH_CHECK(static_cast<int64_t>(t.nbytes()) == nbytes, "buffer holds ", nbytes,
                " bytes but shape ", t.sizes(), " of ", t.scalar_type(), " needs ", t.nbytes());
    if (nbytes > 0) std::memcpy(t.data_ptr(), data, static_cast<size_t>(nbytes));
    *out = ts::wrap(std::move(t));
  });
}

// Copies the tensor's elements (any device, any layout) into managed memory.
TS_EXPORT int ts_copy_to_buffer(TH t, void* data, int64_t nbytes) {
  return ts::guarded([&] {
    auto cpu = t->detach().to(at::kCPU).contiguous();
    TORCH_CHECK(static_cast<int64_t>(cpu.nbytes()) == nbytes, "destination holds ", nbytes,
                " bytes but the tensor has ", cpu.nbytes());
    if (nbytes > 0) std::memcpy(data, cpu.data_ptr(), static_cast<size_t>(nbytes));
  });
}

TS_EXPORT int ts_empty(const int64_t* shape, int64_t ndim, int32_t dtype, int32_t dev, int32_t idx,
                       TH* out) {
  TS_RETURN(at::empty(ts::dims(shape, ndim), ts::options(dtype, dev, idx)));
}

TS_EXPORT int ts_zeros(const int64_t* shape, int64_t ndim, int32_t dtype, int32_t dev, int32_t idx,
                       TH* out) {
  TS_RETURN(at::zeros(ts::dims(shape, ndim), ts::options(dtype, dev, idx)));
}

TS_EXPORT int ts_ones(const int64_t* shape, int64_t ndim, int32_t dtype, int32_t dev, int32_t idx,
                      TH* out) {
  TS_RETURN(at::ones(ts::dims(shape, ndim), ts::options(dtype, dev, idx)));
}

TS_EXPORT int ts_full(const int64_t* shape, int64_t ndim, TsScalar value, int32_t dtype, int32_t dev,
                      int32_t idx, TH* out) {
  TS_RETURN(at::full(ts::dims(shape, ndim), ts::scalar(value), ts::options(dtype, dev, idx)));
}

TS_EXPORT int ts_arange(TsScalar start, TsScalar end, TsScalar step, int32_t dtype, int32_t dev,
                        int32_t idx, TH* out) {
  TS_RETURN(at::arange(ts::scalar(start), ts::scalar(end), ts::scalar(step),
                       ts::options(dtype, dev, idx)));
}

TS_EXPORT int ts_linspace(double start, double end, int64_t steps, int32_t dtype, int32_t dev,
                          int32_t idx, TH* out) {
  TS_RETURN(at::linspace(start, end, steps, ts::options(dtype, dev, idx)));
}

TS_EXPORT int ts_eye(int64_t n, int32_t dtype, int32_t dev, int32_t idx, TH* out) {
  TS_RETURN(at::eye(n, ts::options(dtype, dev, idx)));
}

// --- random generators -------------------------------------------------------------
// Seeded generators are CPU generators: random tensors for another device are
// drawn on the CPU and moved, so a seed gives the same numbers on every device.

TS_EXPORT int ts_generator_new(uint64_t seed, void** out) {
  return ts::guarded([&] { *out = new at::Generator(at::detail::createCPUGenerator(seed)); });
}

TS_EXPORT void ts_generator_free(void* g) { delete static_cast<at::Generator*>(g); }

namespace {
c10::optional<at::Generator> generator(void* g) {
  return g ? c10::optional<at::Generator>(*static_cast<at::Generator*>(g)) : c10::nullopt;
}

at::Tensor on_device(at::Tensor cpu, int32_t dev, int32_t idx) {
  return dev == 0 ? cpu : cpu.to(ts::device(dev, idx));
}
}  // namespace

TS_EXPORT int ts_rand(const int64_t* shape, int64_t ndim, void* gen, int32_t dtype, int32_t dev,
                      int32_t idx, TH* out) {
  TS_RETURN(on_device(at::rand(ts::dims(shape, ndim), generator(gen), ts::options(dtype, 0, -1)),
                      dev, idx));
}

TS_EXPORT int ts_randn(const int64_t* shape, int64_t ndim, void* gen, int32_t dtype, int32_t dev,
                       int32_t idx, TH* out) {
  TS_RETURN(on_device(at::randn(ts::dims(shape, ndim), generator(gen), ts::options(dtype, 0, -1)),
                      dev, idx));
}

TS_EXPORT int ts_randint(int64_t low, int64_t high, const int64_t* shape, int64_t ndim, void* gen,
                         int32_t dtype, int32_t dev, int32_t idx, TH* out) {
  TS_RETURN(on_device(
      at::randint(low, high, ts::dims(shape, ndim), generator(gen), ts::options(dtype, 0, -1)), dev,
      idx));
}

TS_EXPORT int ts_randperm(int64_t n, void* gen, int32_t dev, int32_t idx, TH* out) {
  TS_RETURN(on_device(at::randperm(n, generator(gen), at::TensorOptions().dtype(at::kLong)), dev, idx));
}

TS_EXPORT int ts_uniform_(TH t, double from, double to, void* gen) {
  return ts::guarded([&] {
    if (t->is_cpu()) {
      t->uniform_(from, to, generator(gen));
    } else {
      t->copy_(at::empty(t->sizes(), t->options().device(at::kCPU)).uniform_(from, to, generator(gen)));
    }
  });
}

TS_EXPORT int ts_normal_(TH t, double mean, double std, void* gen) {
  return ts::guarded([&] {
    if (t->is_cpu()) {
      t->normal_(mean, std, generator(gen));
    } else {
      t->copy_(at::empty(t->sizes(), t->options().device(at::kCPU)).normal_(mean, std, generator(gen)));
    }
  });
}

TS_EXPORT int ts_bernoulli(TH probabilities, void* gen, TH* out) {
  TS_RETURN(on_device(at::bernoulli(probabilities->to(at::kCPU), generator(gen)),
                      static_cast<int32_t>(probabilities->device().type()),
                      probabilities->device().index()));
}

// --- conversion and copies -----------------------------------------------------------

TS_EXPORT int ts_to_dtype(TH t, int32_t dtype, TH* out) {
  TS_RETURN(t->to(static_cast<at::ScalarType>(dtype)));
}

TS_EXPORT int ts_to_device(TH t, int32_t dev, int32_t idx, int32_t non_blocking, TH* out) {
  TS_RETURN(t->to(ts::device(dev, idx), non_blocking != 0));
}

TS_EXPORT int ts_clone(TH t, TH* out) { TS_RETURN(t->clone()); }
TS_EXPORT int ts_contiguous(TH t, TH* out) { TS_RETURN(t->contiguous()); }
TS_EXPORT int ts_detach(TH t, TH* out) { TS_RETURN(t->detach()); }
TS_EXPORT int ts_alias(TH t, TH* out) { TS_RETURN(*t); }

TS_EXPORT int ts_copy_(TH dst, TH src) { return ts::guarded([&] { dst->copy_(*src); }); }
TS_EXPORT int ts_fill_(TH t, TsScalar v) { return ts::guarded([&] { t->fill_(ts::scalar(v)); }); }
TS_EXPORT int ts_zero_(TH t) { return ts::guarded([&] { t->zero_(); }); }

TS_EXPORT int ts_set_data(TH t, TH source) { return ts::guarded([&] { t->set_data(*source); }); }

// --- views and shape ops ----------------------------------------------------------------

TS_EXPORT int ts_view(TH t, const int64_t* shape, int64_t n, TH* out) {
  TS_RETURN(t->view(ts::dims(shape, n)));
}
TS_EXPORT int ts_reshape(TH t, const int64_t* shape, int64_t n, TH* out) {
  TS_RETURN(t->reshape(ts::dims(shape, n)));
}
TS_EXPORT int ts_permute(TH t, const int64_t* order, int64_t n, TH* out) {
  TS_RETURN(t->permute(ts::dims(order, n)));
}
TS_EXPORT int ts_transpose(TH t, int64_t d0, int64_t d1, TH* out) { TS_RETURN(t->transpose(d0, d1)); }
TS_EXPORT int ts_narrow(TH t, int64_t dim, int64_t start, int64_t length, TH* out) {
  TS_RETURN(t->narrow(dim, start, length));
}
TS_EXPORT int ts_slice(TH t, int64_t dim, int64_t start, int64_t end, int64_t step, TH* out) {
  TS_RETURN(t->slice(dim, start, end, step));
}
TS_EXPORT int ts_select(TH t, int64_t dim, int64_t index, TH* out) { TS_RETURN(t->select(dim, index)); }
TS_EXPORT int ts_index_select(TH t, int64_t dim, TH index, TH* out) {
  TS_RETURN(t->index_select(dim, *index));
}
TS_EXPORT int ts_gather(TH t, int64_t dim, TH index, TH* out) { TS_RETURN(t->gather(dim, *index)); }
TS_EXPORT int ts_scatter(TH t, int64_t dim, TH index, TH src, TH* out) {
  TS_RETURN(t->scatter(dim, *index, *src));
}
TS_EXPORT int ts_scatter_add(TH t, int64_t dim, TH index, TH src, TH* out) {
  TS_RETURN(t->scatter_add(dim, *index, *src));
}
TS_EXPORT int ts_squeeze(TH t, TH* out) { TS_RETURN(t->squeeze()); }
TS_EXPORT int ts_squeeze_dim(TH t, int64_t dim, TH* out) { TS_RETURN(t->squeeze(dim)); }
TS_EXPORT int ts_unsqueeze(TH t, int64_t dim, TH* out) { TS_RETURN(t->unsqueeze(dim)); }
TS_EXPORT int ts_expand(TH t, const int64_t* shape, int64_t n, TH* out) {
  TS_RETURN(t->expand(ts::dims(shape, n)));
}
TS_EXPORT int ts_repeat(TH t, const int64_t* repeats, int64_t n, TH* out) {
  TS_RETURN(t->repeat(ts::dims(repeats, n)));
}
TS_EXPORT int ts_flatten(TH t, int64_t start, int64_t end, TH* out) { TS_RETURN(t->flatten(start, end)); }
TS_EXPORT int ts_flip(TH t, const int64_t* d, int64_t n, TH* out) { TS_RETURN(t->flip(ts::dims(d, n))); }
TS_EXPORT int ts_roll(TH t, const int64_t* shifts, const int64_t* d, int64_t n, TH* out) {
  TS_RETURN(t->roll(ts::dims(shifts, n), ts::dims(d, n)));
}
TS_EXPORT int ts_tril(TH t, int64_t diagonal, TH* out) { TS_RETURN(t->tril(diagonal)); }
TS_EXPORT int ts_triu(TH t, int64_t diagonal, TH* out) { TS_RETURN(t->triu(diagonal)); }

TS_EXPORT int ts_cat(const TH* ts_, int64_t n, int64_t dim, TH* out) {
  TS_RETURN(at::cat(ts::tensor_list(ts_, n), dim));
}
TS_EXPORT int ts_stack(const TH* ts_, int64_t n, int64_t dim, TH* out) {
  TS_RETURN(at::stack(ts::tensor_list(ts_, n), dim));
}
TS_EXPORT int ts_split(TH t, int64_t size, int64_t dim, TH** out, int64_t* count) {
  return ts::guarded([&] { ts::wrap_list(t->split(size, dim), out, count); });
}
TS_EXPORT int ts_split_with_sizes(TH t, const int64_t* sizes, int64_t n, int64_t dim, TH** out,
                                  int64_t* count) {
  return ts::guarded([&] { ts::wrap_list(t->split_with_sizes(ts::dims(sizes, n), dim), out, count); });
}
TS_EXPORT int ts_chunk(TH t, int64_t chunks, int64_t dim, TH** out, int64_t* count) {
  return ts::guarded([&] { ts::wrap_list(t->chunk(chunks, dim), out, count); });
}
TS_EXPORT int ts_unbind(TH t, int64_t dim, TH** out, int64_t* count) {
  return ts::guarded([&] { ts::wrap_list(t->unbind(dim), out, count); });
}

// Advanced indexing t[i0, i1, ...] with tensors (null entries mean "whole dim").
TS_EXPORT int ts_index(TH t, const TH* indices, int64_t n, TH* out) {
  return ts::guarded([&] {
    c10::List<c10::optional<at::Tensor>> list;
    for (int64_t i = 0; i < n; ++i) list.push_back(ts::opt(indices[i]));
    *out = ts::wrap(at::index(*t, list));
  });
}
TS_EXPORT int ts_index_put_(TH t, const TH* indices, int64_t n, TH values, int32_t accumulate) {
  return ts::guarded([&] {
    c10::List<c10::optional<at::Tensor>> list;
    for (int64_t i = 0; i < n; ++i) list.push_back(ts::opt(indices[i]));
    t->index_put_(list, *values, accumulate != 0);
  });
}
TS_EXPORT int ts_masked_fill(TH t, TH mask, TsScalar v, TH* out) {
  TS_RETURN(t->masked_fill(*mask, ts::scalar(v)));
}
TS_EXPORT int ts_masked_select(TH t, TH mask, TH* out) { TS_RETURN(t->masked_select(*mask)); }
TS_EXPORT int ts_nonzero(TH t, TH* out) { TS_RETURN(t->nonzero()); }
TS_EXPORT int ts_where(TH cond, TH a, TH b, TH* out) { TS_RETURN(at::where(*cond, *a, *b)); }

// --- autograd ---------------------------------------------------------------------------

TS_EXPORT int ts_requires_grad(TH t, int32_t* out) {
  return ts::guarded([&] { *out = t->requires_grad() ? 1 : 0; });
}
TS_EXPORT int ts_set_requires_grad(TH t, int32_t value) {
  return ts::guarded([&] { t->requires_grad_(value != 0); });
}
TS_EXPORT int ts_is_leaf(TH t, int32_t* out) { return ts::guarded([&] { *out = t->is_leaf() ? 1 : 0; }); }
TS_EXPORT int ts_grad(TH t, TH* out) { return ts::guarded([&] { *out = ts::wrap_or_null(t->grad()); }); }
TS_EXPORT int ts_set_grad(TH t, TH grad) {
  return ts::guarded([&] { t->mutable_grad() = ts::or_undefined(grad); });
}
TS_EXPORT int ts_backward(TH t, TH grad, int32_t retain_graph, int32_t create_graph) {
  return ts::guarded([&] {
    t->backward(ts::or_undefined(grad), retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt,
                create_graph != 0);
  });
}
TS_EXPORT int ts_is_grad_enabled(int32_t* out) {
  return ts::guarded([&] { *out = c10::GradMode::is_enabled() ? 1 : 0; });
}
TS_EXPORT int ts_set_grad_enabled(int32_t enabled) {
  return ts::guarded([&] { c10::GradMode::set_enabled(enabled != 0); });
}
// InferenceMode is an RAII guard; the binding enters and exits it on one thread.
TS_EXPORT int ts_inference_mode_enter(void** out) {
  return ts::guarded([&] { *out = new c10::InferenceMode(true); });
}
TS_EXPORT void ts_inference_mode_exit(void* guard) { delete static_cast<c10::InferenceMode*>(guard); }
