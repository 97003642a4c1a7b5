using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    // Elementwise math with broadcasting, comparisons and the C# operators.
    public partial class Tensor
    {
        public Tensor neg() => Wrap(ts_neg(Handle, out var r), r);
        public Tensor abs() => Wrap(ts_abs(Handle, out var r), r);
        public Tensor sign() => Wrap(ts_sign(Handle, out var r), r);
        public Tensor exp() => Wrap(ts_exp(Handle, out var r), r);
        public Tensor log() => Wrap(ts_log(Handle, out var r), r);
        public Tensor log1p() => Wrap(ts_log1p(Handle, out var r), r);
        public Tensor sqrt() => Wrap(ts_sqrt(Handle, out var r), r);
        public Tensor rsqrt() => Wrap(ts_rsqrt(Handle, out var r), r);
        public Tensor square() => Wrap(ts_square(Handle, out var r), r);
        public Tensor reciprocal() => Wrap(ts_reciprocal(Handle, out var r), r);
        public Tensor floor() => Wrap(ts_floor(Handle, out var r), r);
        public Tensor ceil() => Wrap(ts_ceil(Handle, out var r), r);
        public Tensor round() => Wrap(ts_round(Handle, out var r), r);
        public Tensor trunc() => Wrap(ts_trunc(Handle, out var r), r);
        public Tensor sin() => Wrap(ts_sin(Handle, out var r), r);
        public Tensor cos() => Wrap(ts_cos(Handle, out var r), r);
        public Tensor erf() => Wrap(ts_erf(Handle, out var r), r);
        public Tensor tanh() => Wrap(ts_tanh(Handle, out var r), r);
        public Tensor sigmoid() => Wrap(ts_sigmoid(Handle, out var r), r);
        public Tensor relu() => Wrap(ts_relu(Handle, out var r), r);
        public Tensor logical_not() => Wrap(ts_logical_not(Handle, out var r), r);
        public Tensor isnan() => Wrap(ts_isnan(Handle, out var r), r);
        public Tensor isfinite() => Wrap(ts_isfinite(Handle, out var r), r);

        public Tensor add(Tensor other) => Wrap(ts_add(Handle, other.Handle, ((Scalar)1).Native, out var r), r);
        public Tensor add(Tensor other, Scalar alpha) => Wrap(ts_add(Handle, other.Handle, alpha.Native, out var r), r);
        public Tensor add(Scalar other) => Wrap(ts_add_scalar(Handle, other.Native, out var r), r);
        public Tensor sub(Tensor other) => Wrap(ts_sub(Handle, other.Handle, ((Scalar)1).Native, out var r), r);
        public Tensor sub(Tensor other, Scalar alpha) => Wrap(ts_sub(Handle, other.Handle, alpha.Native, out var r), r);
        public Tensor sub(Scalar other) => Wrap(ts_sub_scalar(Handle, other.Native, out var r), r);
        public Tensor mul(Tensor other) => Wrap(ts_mul(Handle, other.Handle, out var r), r);
        public Tensor mul(Scalar other) => Wrap(ts_mul_scalar(Handle, other.Native, out var r), r);
        public Tensor div(Tensor other) => Wrap(ts_div(Handle, other.Handle, out var r), r);
        public Tensor div(Scalar other) => Wrap(ts_div_scalar(Handle, other.Native, out var r), r);
        public Tensor remainder(Tensor other) => Wrap(ts_remainder(Handle, other.Handle, out var r), r);
        public Tensor remainder(Scalar other) => Wrap(ts_remainder_scalar(Handle, other.Native, out var r), r);
        public Tensor pow(Tensor exponent) => Wrap(ts_pow(Handle, exponent.Handle, out var r), r);
        public Tensor pow(Scalar exponent) => Wrap(ts_pow_scalar(Handle, exponent.Native, out var r), r);
        public Tensor maximum(Tensor other) => Wrap(ts_maximum(Handle, other.Handle, out var r), r);
        public Tensor minimum(Tensor other) => Wrap(ts_minimum(Handle, other.Handle, out var r), r);
        public Tensor atan2(Tensor other) => Wrap(ts_atan2(Handle, other.Handle, out var r), r);
        public Tensor lerp(Tensor end, Scalar weight) => Wrap(ts_lerp(Handle, end.Handle, weight.Native, out var r), r);

        public Tensor eq(Tensor other) => Wrap(ts_eq(Handle, other.Handle, out var r), r);
        public Tensor eq(Scalar other) => Wrap(ts_eq_scalar(Handle, other.Native, out var r), r);
        public Tensor ne(Tensor other) => Wrap(ts_ne(Handle, other.Handle, out var r), r);
        public Tensor ne(Scalar other) => Wrap(ts_ne_scalar(Handle, other.Native, out var r), r);
        public Tensor lt(Tensor other) => Wrap(ts_lt(Handle, other.Handle, out var r), r);
        public Tensor lt(Scalar other) => Wrap(ts_lt_scalar(Handle, other.Native, out var r), r);
        public Tensor le(Tensor other) => Wrap(ts_le(Handle, other.Handle, out var r), r);
        public Tensor le(Scalar other) => Wrap(ts_le_scalar(Handle, other.Native, out var r), r);
        public Tensor gt(Tensor other) => Wrap(ts_gt(Handle, other.Handle, out var r), r);
        public Tensor gt(Scalar other) => Wrap(ts_gt_scalar(Handle, other.Native, out var r), r);
        public Tensor ge(Tensor other) => Wrap(ts_ge(Handle, other.Handle, out var r), r);
        public Tensor ge(Scalar other) => Wrap(ts_ge_scalar(Handle, other.Native, out var r), r);
        public Tensor logical_and(Tensor other) => Wrap(ts_logical_and(Handle, other.Handle, out var r), r);
        public Tensor logical_or(Tensor other) => Wrap(ts_logical_or(Handle, other.Handle, out var r), r);
        public Tensor logical_xor(Tensor other) => Wrap(ts_logical_xor(Handle, other.Handle, out var r), r);

        public Tensor clamp(Scalar? min = null, Scalar? max = null) =>
            Wrap(ts_clamp(Handle, (min ?? 0).Native, min.HasValue ? 1 : 0, (max ?? 0).Native, max.HasValue ? 1 : 0, out var r), r);
        public Tensor clamp_min(Scalar min) => clamp(min, null);
        public Tensor clamp_max(Scalar max) => clamp(null, max);

        public bool allclose(Tensor other, double rtol = 1e-5, double atol = 1e-8)
        {
            Native.Status.Check(ts_allclose(Handle, other.Handle, rtol, atol, out var result));
            return result != 0;
        }

        // In-place variants return this tensor, as in PyTorch.
        public Tensor add_(Tensor other, Scalar? alpha = null) => InPlace(ts_add_(Handle, other.Handle, (alpha ?? 1).Native));
        public Tensor add_(Scalar other) => InPlace(ts_add_scalar_(Handle, other.Native));
        public Tensor sub_(Tensor other) => InPlace(ts_sub_(Handle, other.Handle));
        public Tensor mul_(Tensor other) => InPlace(ts_mul_(Handle, other.Handle));
        public Tensor mul_(Scalar other) => InPlace(ts_mul_scalar_(Handle, other.Native));
        public Tensor div_(Tensor other) => InPlace(ts_div_(Handle, other.Handle));
        public Tensor div_(Scalar other) => InPlace(ts_div_scalar_(Handle, other.Native));
        public Tensor clamp_(Scalar? min = null, Scalar? max = null) =>
            InPlace(ts_clamp_(Handle, (min ?? 0).Native, min.HasValue ? 1 : 0, (max ?? 0).Native, max.HasValue ? 1 : 0));
        public Tensor fill_(Scalar value) => InPlace(ts_fill_(Handle, value.Native));
        public Tensor zero_() => InPlace(ts_zero_(Handle));
        public Tensor copy_(Tensor source) => InPlace(ts_copy_(Handle, source.Handle));

        private Tensor InPlace(int status)
        {
            Native.Status.Check(status);
            return this;
        }

        public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
        public static Tensor operator +(Tensor a, Scalar b) => a.add(b);
        public static Tensor operator +(Scalar a, Tensor b) => b.add(a);
        public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
        public static Tensor operator -(Tensor a, Scalar b) => a.sub(b);
        public static Tensor operator -(Scalar a, Tensor b) => Wrap(ts_rsub_scalar(b.Handle, a.Native, out var r), r);
        public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
        public static Tensor operator *(Tensor a, Scalar b) => a.mul(b);
        public static Tensor operator *(Scalar a, Tensor b) => b.mul(a);
        public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
        public static Tensor operator /(Tensor a, Scalar b) => a.div(b);
        public static Tensor operator /(Scalar a, Tensor b) => Wrap(ts_rdiv_scalar(b.Handle, a.Native, out var r), r);
        public static Tensor operator %(Tensor a, Tensor b) => a.remainder(b);
        public static Tensor operator %(Tensor a, Scalar b) => a.remainder(b);
        public static Tensor operator -(Tensor a) => a.neg();
        public static Tensor operator &(Tensor a, Tensor b) => a.logical_and(b);
        public static Tensor operator |(Tensor a, Tensor b) => a.logical_or(b);
        public static Tensor operator !(Tensor a) => a.logical_not();

        // --- matrix products -------------------------------------------------------------------

        public Tensor matmul(Tensor other) => Wrap(ts_matmul(Handle, other.Handle, out var r), r);
        public Tensor mm(Tensor other) => Wrap(ts_mm(Handle, other.Handle, out var r), r);
        public Tensor bmm(Tensor other) => Wrap(ts_bmm(Handle, other.Handle, out var r), r);
    }
}
