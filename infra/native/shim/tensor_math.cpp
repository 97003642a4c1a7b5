// Elementwise math (broadcasting), comparisons, reductions, softmax and matrix
// products. Export names follow ATen: ts_<op>, ts_<op>_scalar for a scalar
// right-hand side, ts_<op>_ for in-place.
#include "shim_common.h"

#define TS_UNARY(name, expr) \
  TS_EXPORT int ts_##name(TH a, TH* out) { TS_RETURN(expr); }

#define TS_BINARY(name, expr) \
  TS_EXPORT int ts_##name(TH a, TH b, TH* out) { TS_RETURN(expr); }

#define TS_BINARY_SCALAR(name, expr) \
  TS_EXPORT int ts_##name(TH a, TsScalar s, TH* out) { TS_RETURN(expr); }

#define TS_INPLACE(name, expr) \
  TS_EXPORT int ts_##name(TH a, TH b) { return ts::guarded([&] { expr; }); }

#define TS_INPLACE_SCALAR(name, expr) \
  TS_EXPORT int ts_##name(TH a, TsScalar s) { return ts::guarded([&] { expr; }); }

// --- unary ----------------------------------------------------------------------
TS_UNARY(neg, a->neg())
TS_UNARY(abs, a->abs())
TS_UNARY(sign, a->sign())
TS_UNARY(exp, a->exp())
TS_UNARY(log, a->log())
TS_UNARY(log1p, a->log1p())
TS_UNARY(sqrt, a->sqrt())
TS_UNARY(rsqrt, a->rsqrt())
TS_UNARY(square, a->square())
TS_UNARY(reciprocal, a->reciprocal())
TS_UNARY(floor, a->floor())
TS_UNARY(ceil, a->ceil())
TS_UNARY(round, a->round())
TS_UNARY(trunc, a->trunc())
TS_UNARY(sin, a->sin())
TS_UNARY(cos, a->cos())
TS_UNARY(erf, a->erf())
TS_UNARY(tanh, a->tanh())
TS_UNARY(sigmoid, a->sigmoid())
TS_UNARY(relu, at::relu(*a))
TS_UNARY(relu6, at::hardtanh(*a, 0.0, 6.0))
TS_UNARY(hardswish, at::hardswish(*a))
TS_UNARY(hardsigmoid, at::hardsigmoid(*a))
TS_UNARY(silu, at::silu(*a))
TS_UNARY(softplus, at::softplus(*a))
TS_UNARY(logical_not, a->logical_not())
TS_UNARY(isnan, a->isnan())
TS_UNARY(isfinite, a->isfinite())

// --- binary (broadcasting) ----------------------------------------------------------
TS_EXPORT int ts_add(TH a, TH b, TsScalar alpha, TH* out) { TS_RETURN(a->add(*b, ts::scalar(alpha))); }
TS_EXPORT int ts_sub(TH a, TH b, TsScalar alpha, TH* out) { TS_RETURN(a->sub(*b, ts::scalar(alpha))); }
TS_BINARY(mul, a->mul(*b))
TS_BINARY(div, a->div(*b))
TS_BINARY(remainder, a->remainder(*b))
TS_BINARY(pow, a->pow(*b))
TS_BINARY(maximum, at::maximum(*a, *b))
TS_BINARY(minimum, at::minimum(*a, *b))
TS_BINARY(atan2, a->atan2(*b))
TS_BINARY(eq, a->eq(*b))
TS_BINARY(ne, a->ne(*b))
TS_BINARY(lt, a->lt(*b))
TS_BINARY(le, a->le(*b))
TS_BINARY(gt, a->gt(*b))
TS_BINARY(ge, a->ge(*b))
TS_BINARY(logical_and, a->logical_and(*b))
TS_BINARY(logical_or, a->logical_or(*b))
TS_BINARY(logical_xor, a->logical_xor(*b))

TS_BINARY_SCALAR(add_scalar, a->add(ts::scalar(s)))
TS_BINARY_SCALAR(sub_scalar, a->sub(ts::scalar(s)))
TS_BINARY_SCALAR(rsub_scalar, at::rsub(*a, ts::scalar(s)))
TS_BINARY_SCALAR(mul_scalar, a->mul(ts::scalar(s)))
TS_BINARY_SCALAR(div_scalar, a->div(ts::scalar(s)))
TS_BINARY_SCALAR(rdiv_scalar, a->reciprocal().mul(ts::scalar(s)))
TS_BINARY_SCALAR(remainder_scalar, a->remainder(ts::scalar(s)))
TS_BINARY_SCALAR(pow_scalar, a->pow(ts::scalar(s)))
TS_BINARY_SCALAR(rpow_scalar, at::pow(ts::scalar(s), *a))
TS_BINARY_SCALAR(eq_scalar, a->eq(ts::scalar(s)))
TS_BINARY_SCALAR(ne_scalar, a->ne(ts::scalar(s)))
TS_BINARY_SCALAR(lt_scalar, a->lt(ts::scalar(s)))
TS_BINARY_SCALAR(le_scalar, a->le(ts::scalar(s)))
TS_BINARY_SCALAR(gt_scalar, a->gt(ts::scalar(s)))
TS_BINARY_SCALAR(ge_scalar, a->ge(ts::scalar(s)))

TS_EXPORT int ts_add_(TH a, TH b, TsScalar alpha) {
  return ts::guarded([&] { a->add_(*b, ts::scalar(alpha)); });
}
TS_INPLACE(sub_, a->sub_(*b))
TS_INPLACE(mul_, a->mul_(*b))
TS_INPLACE(div_, a->div_(*b))
TS_INPLACE_SCALAR(add_scalar_, a->add_(ts::scalar(s)))
TS_INPLACE_SCALAR(mul_scalar_, a->mul_(ts::scalar(s)))
TS_INPLACE_SCALAR(div_scalar_, a->div_(ts::scalar(s)))

TS_EXPORT int ts_clamp(TH a, TsScalar min, int32_t has_min, TsScalar max, int32_t has_max, TH* out) {
  TS_RETURN(a->clamp(has_min ? c10::optional<at::Scalar>(ts::scalar(min)) : c10::nullopt,
                     has_max ? c10::optional<at::Scalar>(ts::scalar(max)) : c10::nullopt));
}
TS_EXPORT int ts_clamp_(TH a, TsScalar min, int32_t has_min, TsScalar max, int32_t has_max) {
  return ts::guarded([&] {
    a->clamp_(has_min ? c10::optional<at::Scalar>(ts::scalar(min)) : c10::nullopt,
              has_max ? c10::optional<at::Scalar>(ts::scalar(max)) : c10::nullopt);
  });
}
TS_EXPORT int ts_lerp(TH a, TH b, TsScalar weight, TH* out) { TS_RETURN(a->lerp(*b, ts::scalar(weight))); }
TS_EXPORT int ts_allclose(TH a, TH b, double rtol, double atol, int32_t* out) {
  return ts::guarded([&] { *out = a->allclose(*b, rtol, atol) ? 1 : 0; });
}

// --- reductions ------------------------------------------------------------------------
// `dtype < 0` means "keep the input's dtype (PyTorch's default promotion)".
namespace {
c10::optional<at::ScalarType> dtype_or_default(int32_t dtype) {
  return dtype < 0 ? c10::nullopt : c10::optional<at::ScalarType>(static_cast<at::ScalarType>(dtype));
}
}  // namespace

TS_EXPORT int ts_sum(TH a, int32_t dtype, TH* out) { TS_RETURN(a->sum(dtype_or_default(dtype))); }
TS_EXPORT int ts_sum_dims(TH a, const int64_t* d, int64_t n, int32_t keepdim, int32_t dtype, TH* out) {
  TS_RETURN(a->sum(ts::dims(d, n), keepdim != 0, dtype_or_default(dtype)));
}
TS_EXPORT int ts_mean(TH a, TH* out) { TS_RETURN(a->mean()); }
TS_EXPORT int ts_mean_dims(TH a, const int64_t* d, int64_t n, int32_t keepdim, TH* out) {
  TS_RETURN(a->mean(ts::dims(d, n), keepdim != 0));
}
TS_EXPORT int ts_prod(TH a, TH* out) { TS_RETURN(a->prod()); }
TS_EXPORT int ts_var_dims(TH a, const int64_t* d, int64_t n, int32_t unbiased, int32_t keepdim, TH* out) {
  TS_RETURN(a->var(ts::dims(d, n), unbiased != 0, keepdim != 0));
}
TS_EXPORT int ts_std_dims(TH a, const int64_t* d, int64_t n, int32_t unbiased, int32_t keepdim, TH* out) {
  TS_RETURN(a->std(ts::dims(d, n), unbiased != 0, keepdim != 0));
}
TS_EXPORT int ts_max(TH a, TH* out) { TS_RETURN(a->max()); }
TS_EXPORT int ts_min(TH a, TH* out) { TS_RETURN(a->min()); }
TS_EXPORT int ts_max_dim(TH a, int64_t dim, int32_t keepdim, TH* values, TH* indices) {
  return ts::guarded([&] {
    auto result = a->max(dim, keepdim != 0);
    *values = ts::wrap(std::get<0>(result));
    *indices = ts::wrap(std::get<1>(result));
  });
}
TS_EXPORT int ts_min_dim(TH a, int64_t dim, int32_t keepdim, TH* values, TH* indices) {
  return ts::guarded([&] {
    auto result = a->min(dim, keepdim != 0);
    *values = ts::wrap(std::get<0>(result));
    *indices = ts::wrap(std::get<1>(result));
  });
}
TS_EXPORT int ts_argmax(TH a, int64_t dim, int32_t has_dim, int32_t keepdim, TH* out) {
  TS_RETURN(a->argmax(has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0));
}
TS_EXPORT int ts_argmin(TH a, int64_t dim, int32_t has_dim, int32_t keepdim, TH* out) {
  TS_RETURN(a->argmin(has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0));
}
TS_EXPORT int ts_topk(TH a, int64_t k, int64_t dim, int32_t largest, int32_t sorted, TH* values,
                      TH* indices) {
  return ts::guarded([&] {
    auto result = a->topk(k, dim, largest != 0, sorted != 0);
    *values = ts::wrap(std::get<0>(result));
    *indices = ts::wrap(std::get<1>(result));
  });
}
TS_EXPORT int ts_sort(TH a, int64_t dim, int32_t descending, TH* values, TH* indices) {
  return ts::guarded([&] {
    auto result = a->sort(dim, descending != 0);
    *values = ts::wrap(std::get<0>(result));
    *indices = ts::wrap(std::get<1>(result));
  });
}
TS_EXPORT int ts_norm(TH a, double p, const int64_t* d, int64_t n, int32_t keepdim, TH* out) {
  TS_RETURN(at::linalg_vector_norm(*a, p, n > 0 ? at::OptionalIntArrayRef(ts::dims(d, n)) : c10::nullopt,
                                   keepdim != 0));
}
TS_EXPORT int ts_logsumexp(TH a, const int64_t* d, int64_t n, int32_t keepdim, TH* out) {
  TS_RETURN(a->logsumexp(ts::dims(d, n), keepdim != 0));
}
TS_EXPORT int ts_cumsum(TH a, int64_t dim, TH* out) { TS_RETURN(a->cumsum(dim)); }
TS_EXPORT int ts_any(TH a, TH* out) { TS_RETURN(a->any()); }
TS_EXPORT int ts_all(TH a, TH* out) { TS_RETURN(a->all()); }

TS_EXPORT int ts_softmax(TH a, int64_t dim, TH* out) { TS_RETURN(a->softmax(dim)); }
TS_EXPORT int ts_log_softmax(TH a, int64_t dim, TH* out) { TS_RETURN(a->log_softmax(dim)); }

// --- matrix products ---------------------------------------------------------------------
TS_BINARY(matmul, a->matmul(*b))
TS_BINARY(mm, a->mm(*b))
TS_BINARY(bmm, a->bmm(*b))
TS_EXPORT int ts_einsum(const char* equation, const TH* operands, int64_t n, TH* out) {
  TS_RETURN(at::einsum(equation, ts::tensor_list(operands, n)));
}
