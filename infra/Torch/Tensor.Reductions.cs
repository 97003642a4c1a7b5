using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    // Reductions, sorting and softmax.
    public partial class Tensor
    {
        public Tensor sum(ScalarType? type = null) => Wrap(ts_sum(Handle, (int?)type ?? -1, out var r), r);
        public Tensor sum(long dim, bool keepdim = false, ScalarType? type = null) => sum([dim], keepdim, type);
        public Tensor sum(long[] dims, bool keepdim = false, ScalarType? type = null) =>
            Wrap(ts_sum_dims(Handle, dims, dims.Length, keepdim ? 1 : 0, (int?)type ?? -1, out var r), r);
        public Tensor mean() => Wrap(ts_mean(Handle, out var r), r);
        public Tensor mean(long dim, bool keepdim = false) => mean([dim], keepdim);
        public Tensor mean(long[] dims, bool keepdim = false) => Wrap(ts_mean_dims(Handle, dims, dims.Length, keepdim ? 1 : 0, out var r), r);
        public Tensor prod() => Wrap(ts_prod(Handle, out var r), r);
        public Tensor var(long[] dims, bool unbiased = true, bool keepdim = false) => Wrap(ts_var_dims(Handle, dims, dims.Length, unbiased ? 1 : 0, keepdim ? 1 : 0, out var r), r);
        public Tensor std(long[] dims, bool unbiased = true, bool keepdim = false) => Wrap(ts_std_dims(Handle, dims, dims.Length, unbiased ? 1 : 0, keepdim ? 1 : 0, out var r), r);
        public Tensor max() => Wrap(ts_max(Handle, out var r), r);
        public Tensor min() => Wrap(ts_min(Handle, out var r), r);

        public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false)
        {
            Native.Status.Check(ts_max_dim(Handle, dim, keepdim ? 1 : 0, out var values, out var indexes));
            return (new Tensor(values), new Tensor(indexes));
        }

        public (Tensor values, Tensor indexes) min(long dim, bool keepdim = false)
        {
            Native.Status.Check(ts_min_dim(Handle, dim, keepdim ? 1 : 0, out var values, out var indexes));
            return (new Tensor(values), new Tensor(indexes));
        }

        public Tensor argmax() => Wrap(ts_argmax(Handle, 0, 0, 0, out var r), r);
        public Tensor argmax(long dim, bool keepdim = false) => Wrap(ts_argmax(Handle, dim, 1, keepdim ? 1 : 0, out var r), r);
        public Tensor argmin() => Wrap(ts_argmin(Handle, 0, 0, 0, out var r), r);
        public Tensor argmin(long dim, bool keepdim = false) => Wrap(ts_argmin(Handle, dim, 1, keepdim ? 1 : 0, out var r), r);

        public (Tensor values, Tensor indexes) topk(long k, long dim = -1, bool largest = true, bool sorted = true)
        {
            Native.Status.Check(ts_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var values, out var indexes));
            return (new Tensor(values), new Tensor(indexes));
        }

        public (Tensor values, Tensor indexes) sort(long dim = -1, bool descending = false)
        {
            Native.Status.Check(ts_sort(Handle, dim, descending ? 1 : 0, out var values, out var indexes));
            return (new Tensor(values), new Tensor(indexes));
        }

        /// <summary>The vector p-norm over all elements, or over <paramref name="dims"/>.</summary>
        public Tensor norm(double p = 2, long[]? dims = null, bool keepdim = false) =>
            Wrap(ts_norm(Handle, p, dims ?? [], dims?.Length ?? 0, keepdim ? 1 : 0, out var r), r);

        public Tensor logsumexp(long dim, bool keepdim = false) => Wrap(ts_logsumexp(Handle, [dim], 1, keepdim ? 1 : 0, out var r), r);
        public Tensor cumsum(long dim) => Wrap(ts_cumsum(Handle, dim, out var r), r);
        public Tensor any() => Wrap(ts_any(Handle, out var r), r);
        public Tensor all() => Wrap(ts_all(Handle, out var r), r);

        public Tensor softmax(long dim) => Wrap(ts_softmax(Handle, dim, out var r), r);
        public Tensor log_softmax(long dim) => Wrap(ts_log_softmax(Handle, dim, out var r), r);
    }
}
