// torch.nn.functional: convolutions (including modulated deformable convolution,
// which libtorch lacks), normalisation, activations with parameters, pooling,
// resampling, attention and losses. Pairs of ints are passed as (h, w) arrays.
#include <cmath>
#include <limits>

#include "shim_common.h"

namespace {
at::IntArrayRef pair(const int64_t* v) { return at::IntArrayRef(v, 2); }
}  // namespace

// --- convolution and linear --------------------------------------------------------

TS_EXPORT int ts_conv2d(TH input, TH weight, TH bias, const int64_t* stride, const int64_t* padding,
                        const int64_t* dilation, int64_t groups, TH* out) {
  TS_RETURN(at::conv2d(*input, *weight, ts::opt(bias), pair(stride), pair(padding), pair(dilation), groups));
}

TS_EXPORT int ts_conv1d(TH input, TH weight, TH bias, int64_t stride, int64_t padding, int64_t dilation,
                        int64_t groups, TH* out) {
  TS_RETURN(at::conv1d(*input, *weight, ts::opt(bias), stride, padding, dilation, groups));
}

TS_EXPORT int ts_conv_transpose2d(TH input, TH weight, TH bias, const int64_t* stride,
                                  const int64_t* padding, const int64_t* output_padding, int64_t groups,
                                  const int64_t* dilation, TH* out) {
  TS_RETURN(at::conv_transpose2d(*input, *weight, ts::opt(bias), pair(stride), pair(padding),
                                 pair(output_padding), groups, pair(dilation)));
}

TS_EXPORT int ts_linear(TH input, TH weight, TH bias, TH* out) {
  TS_RETURN(at::linear(*input, *weight, ts::opt(bias)));
}

// Modulated deformable convolution (DCNv2, torchvision.ops.deform_conv2d
// semantics). offset: [N, 2*dg*kh*kw, Ho, Wo] holding (dy, dx) per kernel tap,
// mask: [N, dg*kh*kw, Ho, Wo] or null (all ones). Sampling is bilinear with
// zeros outside the image. Built from grid_sampler + matmul so autograd gives
// gradients for input, offset, mask, weight and bias, on any device.
TS_EXPORT int ts_deform_conv2d(TH input_h, TH weight_h, TH offset_h, TH mask_h, TH bias_h,
                               const int64_t* stride, const int64_t* padding, const int64_t* dilation,
                               int64_t groups, int64_t deform_groups, TH* out) {
  return ts::guarded([&] {
    const at::Tensor& input = *input_h;
    const at::Tensor& weight = *weight_h;
    const at::Tensor& offset = *offset_h;
    TORCH_CHECK(input.dim() == 4, "deform_conv2d: input must be [N, C, H, W], got ", input.sizes());
    TORCH_CHECK(weight.dim() == 4, "deform_conv2d: weight must be [O, C/groups, kh, kw], got ", weight.sizes());
    const int64_t n = input.size(0), c = input.size(1), h = input.size(2), w = input.size(3);
    const int64_t out_c = weight.size(0), kh = weight.size(2), kw = weight.size(3), k = kh * kw;
    TORCH_CHECK(groups > 0 && deform_groups > 0, "deform_conv2d: groups must be positive");
    TORCH_CHECK(c % groups == 0 && c % deform_groups == 0 && out_c % groups == 0,
                "deform_conv2d: channels (", c, " in, ", out_c, " out) must divide by groups (", groups,
                ") and deformable groups (", deform_groups, ")");
    TORCH_CHECK(weight.size(1) * groups == c, "deform_conv2d: weight expects ", weight.size(1) * groups,
                " input channels, input has ", c);
    const int64_t ho = (h + 2 * padding[0] - (dilation[0] * (kh - 1) + 1)) / stride[0] + 1;
    const int64_t wo = (w + 2 * padding[1] - (dilation[1] * (kw - 1) + 1)) / stride[1] + 1;
    TORCH_CHECK(ho > 0 && wo > 0, "deform_conv2d: output would be empty for input ", input.sizes());
    TORCH_CHECK(offset.dim() == 4 && offset.size(0) == n && offset.size(1) == 2 * deform_groups * k &&
                    offset.size(2) == ho && offset.size(3) == wo,
                "deform_conv2d: offset must be [", n, ", ", 2 * deform_groups * k, ", ", ho, ", ", wo,
                "], got ", offset.sizes());

    auto opts = input.options();
    // Sampling positions in input pixels: [N, dg, K, Ho, Wo].
    auto off = offset.view({n, deform_groups, k, 2, ho, wo});
    auto base_y = (at::arange(ho, opts) * stride[0] - padding[0]).view({1, 1, 1, ho, 1});
    auto base_x = (at::arange(wo, opts) * stride[1] - padding[1]).view({1, 1, 1, 1, wo});
    auto taps = at::arange(k, opts.dtype(at::kLong));
    auto tap_y = (at::floor_divide(taps, kw) * dilation[0]).to(opts.dtype()).view({1, 1, k, 1, 1});
    auto tap_x = (at::remainder(taps, kw) * dilation[1]).to(opts.dtype()).view({1, 1, k, 1, 1});
    auto py = base_y + tap_y + off.select(3, 0);
    auto px = base_x + tap_x + off.select(3, 1);
    // Normalise for grid_sampler with align_corners = false: pixel p -> (2p + 1) / size - 1.
    auto gy = (py * 2 + 1) / static_cast<double>(h) - 1;
    auto gx = (px * 2 + 1) / static_cast<double>(w) - 1;
    auto grid = at::stack({gx, gy}, -1).view({n * deform_groups, k * ho, wo, 2});

    const int64_t cg = c / deform_groups;
    auto sampled = at::grid_sampler(input.reshape({n * deform_groups, cg, h, w}), grid, 0, 0, false)
                       .view({n, deform_groups, cg, k, ho, wo});
    if (mask_h) {
      const at::Tensor& mask = *mask_h;
      TORCH_CHECK(mask.dim() == 4 && mask.size(0) == n && mask.size(1) == deform_groups * k &&
                      mask.size(2) == ho && mask.size(3) == wo,
                  "deform_conv2d: mask must be [", n, ", ", deform_groups * k, ", ", ho, ", ", wo, "], got ",
                  mask.sizes());
      sampled = sampled * mask.view({n, deform_groups, 1, k, ho, wo});
    }
    // Columns per conv group: [N, groups, (C/groups)*K, Ho*Wo], channel-major like im2col.
    auto columns = sampled.reshape({n, groups, (c / groups) * k, ho * wo});
    auto kernel = weight.reshape({1, groups, out_c / groups, (c / groups) * k});
    auto result = at::matmul(kernel, columns).view({n, out_c, ho, wo});
    if (bias_h) result = result + bias_h->view({1, out_c, 1, 1});
    *out = ts::wrap(result);
  });
}

// --- normalisation ---------------------------------------------------------------------

TS_EXPORT int ts_batch_norm(TH input, TH weight, TH bias, TH running_mean, TH running_var,
                            int32_t training, double momentum, double eps, TH* out) {
  TS_RETURN(at::batch_norm(*input, ts::opt(weight), ts::opt(bias), ts::opt(running_mean),
                           ts::opt(running_var), training != 0, momentum, eps, true));
}

TS_EXPORT int ts_layer_norm(TH input, const int64_t* shape, int64_t n, TH weight, TH bias, double eps,
                            TH* out) {
  TS_RETURN(at::layer_norm(*input, ts::dims(shape, n), ts::opt(weight), ts::opt(bias), eps, true));
}

TS_EXPORT int ts_group_norm(TH input, int64_t groups, TH weight, TH bias, double eps, TH* out) {
  TS_RETURN(at::group_norm(*input, groups, ts::opt(weight), ts::opt(bias), eps, true));
}

// --- activations with parameters and dropout --------------------------------------------

TS_EXPORT int ts_leaky_relu(TH input, double slope, TH* out) { TS_RETURN(at::leaky_relu(*input, slope)); }

TS_EXPORT int ts_gelu(TH input, int32_t tanh_approximation, TH* out) {
  TS_RETURN(at::gelu(*input, tanh_approximation ? "tanh" : "none"));
}

TS_EXPORT int ts_elu(TH input, double alpha, TH* out) { TS_RETURN(at::elu(*input, alpha)); }

TS_EXPORT int ts_dropout(TH input, double p, int32_t training, TH* out) {
  TS_RETURN(at::dropout(*input, p, training != 0));
}

TS_EXPORT int ts_dropout2d(TH input, double p, int32_t training, TH* out) {
  TS_RETURN(at::feature_dropout(*input, p, training != 0));
}

// --- pooling ------------------------------------------------------------------------------

TS_EXPORT int ts_max_pool2d(TH input, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                            const int64_t* dilation, int32_t ceil_mode, TH* out) {
  TS_RETURN(at::max_pool2d(*input, pair(kernel), pair(stride), pair(padding), pair(dilation), ceil_mode != 0));
}

TS_EXPORT int ts_avg_pool2d(TH input, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                            int32_t ceil_mode, int32_t count_include_pad, TH* out) {
  TS_RETURN(at::avg_pool2d(*input, pair(kernel), pair(stride), pair(padding), ceil_mode != 0,
                           count_include_pad != 0));
}

TS_EXPORT int ts_adaptive_avg_pool2d(TH input, const int64_t* size, TH* out) {
  TS_RETURN(at::adaptive_avg_pool2d(*input, pair(size)));
}

TS_EXPORT int ts_adaptive_max_pool2d(TH input, const int64_t* size, TH* out) {
  TS_RETURN(std::get<0>(at::adaptive_max_pool2d(*input, pair(size))));
}

// --- resampling --------------------------------------------------------------------------

// mode: 0 nearest, 1 bilinear, 2 bicubic. Either `size` (h, w) or `scale` (h, w)
// is given; as in PyTorch, the output size is floor(input * scale) and the
// kernel uses the given scale.
TS_EXPORT int ts_interpolate(TH input, const int64_t* size, const double* scale, int32_t mode,
                             int32_t align_corners, TH* out) {
  return ts::guarded([&] {
    at::OptionalIntArrayRef out_size = size ? at::OptionalIntArrayRef(pair(size)) : c10::nullopt;
    c10::optional<at::ArrayRef<double>> scales =
        scale ? c10::optional<at::ArrayRef<double>>(at::ArrayRef<double>(scale, 2)) : c10::nullopt;
    switch (mode) {
      case 0:
        TORCH_CHECK(!align_corners, "interpolate: align_corners only applies to bilinear and bicubic");
        *out = ts::wrap(at::upsample_nearest2d(*input, out_size, scales));
        break;
      case 1: *out = ts::wrap(at::upsample_bilinear2d(*input, out_size, align_corners != 0, scales)); break;
      case 2: *out = ts::wrap(at::upsample_bicubic2d(*input, out_size, align_corners != 0, scales)); break;
      default: TORCH_CHECK(false, "interpolate: unknown mode ", mode);
    }
  });
}

// pads in PyTorch order (last dimension first); mode: 0 constant, 1 reflect,
// 2 replicate, 3 circular.
TS_EXPORT int ts_pad(TH input, const int64_t* pads, int64_t n, int32_t mode, double value, TH* out) {
  return ts::guarded([&] {
    static const char* const modes[] = {"constant", "reflect", "replicate", "circular"};
    TORCH_CHECK(mode >= 0 && mode < 4, "pad: unknown mode ", mode);
    *out = ts::wrap(at::pad(*input, ts::dims(pads, n), modes[mode],
                            mode == 0 ? c10::optional<double>(value) : c10::nullopt));
  });
}

TS_EXPORT int ts_affine_grid(TH theta, const int64_t* size, int64_t n, int32_t align_corners, TH* out) {
  TS_RETURN(at::affine_grid_generator(*theta, ts::dims(size, n), align_corners != 0));
}

// mode: 0 bilinear, 1 nearest, 2 bicubic; padding: 0 zeros, 1 border, 2 reflection.
TS_EXPORT int ts_grid_sample(TH input, TH grid, int32_t mode, int32_t padding, int32_t align_corners, TH* out) {
  TS_RETURN(at::grid_sampler(*input, *grid, mode, padding, align_corners != 0));
}

TS_EXPORT int ts_pixel_shuffle(TH input, int64_t factor, TH* out) { TS_RETURN(at::pixel_shuffle(*input, factor)); }

TS_EXPORT int ts_one_hot(TH input, int64_t classes, TH* out) { TS_RETURN(at::one_hot(*input, classes)); }

// --- attention ------------------------------------------------------------------------------

// softmax(q kᵀ · scale + mask) v, with PyTorch 2.x semantics: a boolean mask
// marks positions that take part; a float mask is added. Written out rather
// than calling the private 1.13 kernel so that it behaves the same on every
// libtorch this shim builds against.
TS_EXPORT int ts_scaled_dot_product_attention(TH q, TH k, TH v, TH mask, double dropout_p, int32_t is_causal,
                                              double scale, TH* out) {
  return ts::guarded([&] {
    const double factor = scale > 0 ? scale : 1.0 / std::sqrt(static_cast<double>(q->size(-1)));
    auto scores = at::matmul(*q, k->transpose(-2, -1)) * factor;
    const double neg_inf = -std::numeric_limits<double>::infinity();
    if (is_causal) {
      const int64_t l = q->size(-2), s = k->size(-2);
      auto allowed = at::ones({l, s}, q->options().dtype(at::kBool)).tril();
      scores = scores.masked_fill(allowed.logical_not(), neg_inf);
    }
    if (mask) {
      scores = mask->scalar_type() == at::kBool ? scores.masked_fill(mask->logical_not(), neg_inf)
                                                : scores + *mask;
    }
    auto weights = scores.softmax(-1);
    if (dropout_p > 0) weights = at::dropout(weights, dropout_p, true);
    *out = ts::wrap(at::matmul(weights, *v));
  });
}

// --- losses (reduction: 0 none, 1 mean, 2 sum) ------------------------------------------------

TS_EXPORT int ts_mse_loss(TH input, TH target, int64_t reduction, TH* out) {
  TS_RETURN(at::mse_loss(*input, *target, reduction));
}
TS_EXPORT int ts_l1_loss(TH input, TH target, int64_t reduction, TH* out) {
  TS_RETURN(at::l1_loss(*input, *target, reduction));
}
TS_EXPORT int ts_smooth_l1_loss(TH input, TH target, int64_t reduction, double beta, TH* out) {
  TS_RETURN(at::smooth_l1_loss(*input, *target, reduction, beta));
}
TS_EXPORT int ts_cross_entropy(TH input, TH target, TH weight, int64_t reduction, int64_t ignore_index,
                               double label_smoothing, TH* out) {
  TS_RETURN(at::cross_entropy_loss(*input, *target, ts::opt(weight), reduction, ignore_index, label_smoothing));
}
TS_EXPORT int ts_nll_loss(TH input, TH target, TH weight, int64_t reduction, int64_t ignore_index, TH* out) {
  TS_RETURN(at::nll_loss_nd(*input, *target, ts::opt(weight), reduction, ignore_index));
}
TS_EXPORT int ts_binary_cross_entropy_with_logits(TH input, TH target, TH weight, TH pos_weight,
                                                  int64_t reduction, TH* out) {
  TS_RETURN(at::binary_cross_entropy_with_logits(*input, *target, ts::opt(weight), ts::opt(pos_weight),
                                                 reduction));
}
TS_EXPORT int ts_binary_cross_entropy(TH input, TH target, TH weight, int64_t reduction, TH* out) {
  TS_RETURN(at::binary_cross_entropy(*input, *target, ts::opt(weight), reduction));
}
