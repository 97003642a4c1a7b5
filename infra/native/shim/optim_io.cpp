// The pieces that need the full libtorch C++ API (torch/torch.h, slow to
// compile, so kept to this one file): optimizers, reading PyTorch pickles, and
// CUDA device queries.
#include <torch/torch.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <cstring>

#if defined(TS_WITH_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#include "shim_common.h"

// --- devices ----------------------------------------------------------------------------

TS_EXPORT int ts_cuda_is_available(int32_t* out) {
  return ts::guarded([&] { *out = torch::cuda::is_available() ? 1 : 0; });
}

TS_EXPORT int ts_cuda_device_count(int32_t* out) {
  return ts::guarded([&] { *out = static_cast<int32_t>(torch::cuda::device_count()); });
}

TS_EXPORT int ts_cuda_synchronize(int32_t index) {
  return ts::guarded([&] { torch::cuda::synchronize(index); });
}

TS_EXPORT int ts_cuda_empty_cache() {
  return ts::guarded([&] {
#if defined(TS_WITH_CUDA)
    c10::cuda::CUDACachingAllocator::emptyCache();
#endif
  });
}

TS_EXPORT int ts_set_cudnn_benchmark(int32_t enabled) {
  return ts::guarded([&] { at::globalContext().setBenchmarkCuDNN(enabled != 0); });
}

// --- optimizers ---------------------------------------------------------------------------
// The managed side owns the parameter tensors; the optimizer holds references
// to the same storage, so in-place updates are visible to the model.

TS_EXPORT int ts_optim_adamw_new(const TH* params, int64_t n, double lr, double beta1, double beta2,
                                 double eps, double weight_decay, int32_t amsgrad, void** out) {
  return ts::guarded([&] {
    auto options = torch::optim::AdamWOptions(lr)
                       .betas(std::make_tuple(beta1, beta2))
                       .eps(eps)
                       .weight_decay(weight_decay)
                       .amsgrad(amsgrad != 0);
    *out = new torch::optim::AdamW(ts::tensor_list(params, n), options);
  });
}

TS_EXPORT int ts_optim_adam_new(const TH* params, int64_t n, double lr, double beta1, double beta2,
                                double eps, double weight_decay, int32_t amsgrad, void** out) {
  return ts::guarded([&] {
    auto options = torch::optim::AdamOptions(lr)
                       .betas(std::make_tuple(beta1, beta2))
                       .eps(eps)
                       .weight_decay(weight_decay)
                       .amsgrad(amsgrad != 0);
    *out = new torch::optim::Adam(ts::tensor_list(params, n), options);
  });
}

TS_EXPORT int ts_optim_sgd_new(const TH* params, int64_t n, double lr, double momentum, double dampening,
                               double weight_decay, int32_t nesterov, void** out) {
  return ts::guarded([&] {
    auto options = torch::optim::SGDOptions(lr)
                       .momentum(momentum)
                       .dampening(dampening)
                       .weight_decay(weight_decay)
                       .nesterov(nesterov != 0);
    *out = new torch::optim::SGD(ts::tensor_list(params, n), options);
  });
}

TS_EXPORT void ts_optim_free(void* optimizer) { delete static_cast<torch::optim::Optimizer*>(optimizer); }

TS_EXPORT int ts_optim_step(void* optimizer) {
  return ts::guarded([&] {
    torch::NoGradGuard no_grad;
    static_cast<torch::optim::Optimizer*>(optimizer)->step();
  });
}

TS_EXPORT int ts_optim_zero_grad(void* optimizer) {
  return ts::guarded([&] { static_cast<torch::optim::Optimizer*>(optimizer)->zero_grad(); });
}

TS_EXPORT int ts_optim_set_lr(void* optimizer, double lr) {
  return ts::guarded([&] {
    for (auto& group : static_cast<torch::optim::Optimizer*>(optimizer)->param_groups()) {
      group.options().set_lr(lr);
    }
  });
}

TS_EXPORT int ts_optim_get_lr(void* optimizer, double* out) {
  return ts::guarded([&] {
    auto& groups = static_cast<torch::optim::Optimizer*>(optimizer)->param_groups();
    TORCH_CHECK(!groups.empty(), "optimizer has no parameter groups");
    *out = groups.front().options().get_lr();
  });
}

// --- PyTorch pickles ----------------------------------------------------------------------------

// Reads the bytes of a file written by Python `torch.save(dict_of_tensors)`
// (zip format). Names come back as one malloc'd buffer of NUL-separated
// strings; the caller frees both arrays with ts_free.
TS_EXPORT int ts_pickle_load_dict(const char* bytes, int64_t length, char** names, TH** tensors,
                                  int64_t* count) {
  return ts::guarded([&] {
    std::vector<char> data(bytes, bytes + length);
    c10::IValue value = torch::pickle_load(data);
    TORCH_CHECK(value.isGenericDict(), "the file holds a ", value.tagKind(),
                ", not a dict of tensors (save a plain dict: torch.save(dict(model.state_dict()), path))");
    std::string joined;
    std::vector<at::Tensor> list;
    for (const auto& entry : value.toGenericDict()) {
      TORCH_CHECK(entry.key().isString(), "dict key of type ", entry.key().tagKind(), " is not a string");
      TORCH_CHECK(entry.value().isTensor(), "entry '", entry.key().toStringRef(), "' is a ",
                  entry.value().tagKind(), ", not a tensor");
      joined += entry.key().toStringRef();
      joined.push_back('\0');
      list.push_back(entry.value().toTensor());
    }
    *names = static_cast<char*>(std::malloc(joined.size() + 1));
    if (!*names) throw std::bad_alloc();
    std::memcpy(*names, joined.data(), joined.size());
    (*names)[joined.size()] = '\0';
    ts::wrap_list(list, tensors, count);
  });
}

// Writes a dict of tensors in the same format, so tests can round-trip without
// Python and users can hand weights back to PyTorch.
TS_EXPORT int ts_pickle_save_dict(const char* const* names, const TH* tensors, int64_t count, char** bytes,
                                  int64_t* length) {
  return ts::guarded([&] {
    c10::Dict<std::string, at::Tensor> dict;
    for (int64_t i = 0; i < count; ++i) dict.insert(names[i], *tensors[i]);
    std::vector<char> data = torch::pickle_save(c10::IValue(dict));
    *bytes = static_cast<char*>(std::malloc(data.size()));
    if (!*bytes) throw std::bad_alloc();
    std::memcpy(*bytes, data.data(), data.size());
    *length = static_cast<int64_t>(data.size());
  });
}
