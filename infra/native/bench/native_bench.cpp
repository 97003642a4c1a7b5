// Native C++ loops that do exactly the work the C# runtime benchmark does
// through the binding, so the two can be timed side by side in one process.
// Each returns wall seconds for `iters` iterations after `warmup` untimed ones.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <chrono>
#include <cstdint>
#include <vector>

#define TSB_EXPORT extern "C" __attribute__((visibility("default")))

namespace {
using Clock = std::chrono::steady_clock;

template <typename F>
double timed(int64_t warmup, int64_t iters, F&& body) {
  for (int64_t i = 0; i < warmup; ++i) body();
  auto start = Clock::now();
  for (int64_t i = 0; i < iters; ++i) body();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// MobileNetV2 (width 1.0) with random weights, in eval mode: the same layers,
// shapes and ATen calls as MobileNetV2 built from the C# nn modules.
struct ConvBn {
  at::Tensor weight, bn_weight, bn_bias, mean, var;
  int64_t stride = 1, groups = 1;
  bool relu6 = true;

  ConvBn(int64_t in, int64_t out, int64_t k, int64_t s, int64_t g, bool act)
      : weight(at::randn({out, in / g, k, k}) * 0.1),
        bn_weight(at::ones({out})),
        bn_bias(at::zeros({out})),
        mean(at::zeros({out})),
        var(at::ones({out})),
        stride(s),
        groups(g),
        relu6(act) {}

  at::Tensor forward(const at::Tensor& x) const {
    const int64_t pad = (weight.size(2) - 1) / 2;
    auto y = at::conv2d(x, weight, {}, {stride, stride}, {pad, pad}, {1, 1}, groups);
    y = at::batch_norm(y, bn_weight, bn_bias, mean, var, false, 0.1, 1e-5, true);
    return relu6 ? at::hardtanh(y, 0.0, 6.0) : y;
  }
};

struct Block {
  std::vector<ConvBn> layers;
  bool residual = false;
  at::Tensor forward(const at::Tensor& x) const {
    at::Tensor y = x;
    for (const auto& layer : layers) y = layer.forward(y);
    return residual ? x + y : y;
  }
};

struct MobileNetV2 {
  std::vector<Block> blocks;
  at::Tensor fc_weight = at::randn({1000, 1280}) * 0.01, fc_bias = at::zeros({1000});

  MobileNetV2() {
    Block stem;
    stem.layers.emplace_back(3, 32, 3, 2, 1, true);
    blocks.push_back(stem);
    const int64_t settings[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                                    {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    int64_t in = 32;
    for (const auto& s : settings) {
      for (int64_t i = 0; i < s[2]; ++i) {
        const int64_t stride = i == 0 ? s[3] : 1, hidden = in * s[0], out = s[1];
        Block block;
        if (s[0] != 1) block.layers.emplace_back(in, hidden, 1, 1, 1, true);
        block.layers.emplace_back(hidden, hidden, 3, stride, hidden, true);
        block.layers.emplace_back(hidden, out, 1, 1, 1, false);
        block.residual = stride == 1 && in == out;
        blocks.push_back(block);
        in = out;
      }
    }
    Block last;
    last.layers.emplace_back(in, 1280, 1, 1, 1, true);
    blocks.push_back(last);
  }

  at::Tensor forward(const at::Tensor& x) const {
    at::Tensor y = x;
    for (const auto& block : blocks) y = block.forward(y);
    y = at::adaptive_avg_pool2d(y, {1, 1}).flatten(1);
    return at::linear(y, fc_weight, fc_bias);
  }
};
}  // namespace

// Per-op cost: `a + b` on tiny tensors, the result freed each time.
TSB_EXPORT double tsb_add_loop(int64_t numel, int64_t warmup, int64_t iters) {
  c10::AutoGradMode no_grad(false);
  auto a = at::rand({numel}), b = at::rand({numel});
  return timed(warmup, iters, [&] { auto c = a + b; });
}

TSB_EXPORT double tsb_conv2d_loop(int64_t n, int64_t c, int64_t hw, int64_t out_c, int64_t k, int64_t warmup,
                                  int64_t iters) {
  c10::AutoGradMode no_grad(false);
  auto x = at::randn({n, c, hw, hw}), w = at::randn({out_c, c, k, k}), b = at::randn({out_c});
  const int64_t pad = k / 2;
  return timed(warmup, iters, [&] { auto y = at::conv2d(x, w, b, {1, 1}, {pad, pad}, {1, 1}, 1); });
}

TSB_EXPORT double tsb_matmul_loop(int64_t m, int64_t k, int64_t n, int64_t warmup, int64_t iters) {
  c10::AutoGradMode no_grad(false);
  auto a = at::randn({m, k}), b = at::randn({k, n});
  return timed(warmup, iters, [&] { auto c = at::matmul(a, b); });
}

TSB_EXPORT double tsb_mobilenet_v2(int64_t batch, int64_t size, int64_t warmup, int64_t iters) {
  c10::AutoGradMode no_grad(false);
  MobileNetV2 model;
  auto x = at::randn({batch, 3, size, size});
  return timed(warmup, iters, [&] { auto y = model.forward(x); });
}
