using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    // Views, shape ops, conversions and copies.
    public partial class Tensor
    {
        public Tensor view(params long[] shape) => Wrap(ts_view(Handle, shape, shape.Length, out var r), r);
        public Tensor reshape(params long[] shape) => Wrap(ts_reshape(Handle, shape, shape.Length, out var r), r);
        public Tensor permute(params long[] order) => Wrap(ts_permute(Handle, order, order.Length, out var r), r);
        public Tensor transpose(long dim0, long dim1) => Wrap(ts_transpose(Handle, dim0, dim1, out var r), r);
        public Tensor t() => transpose(0, 1);
        public Tensor mT => transpose(-2, -1);
        public Tensor narrow(long dim, long start, long length) => Wrap(ts_narrow(Handle, dim, start, length, out var r), r);
        public Tensor slice(long dim, long start, long end, long step = 1) => Wrap(ts_slice(Handle, dim, start, end, step, out var r), r);
        public Tensor select(long dim, long index) => Wrap(ts_select(Handle, dim, index, out var r), r);
        public Tensor index_select(long dim, Tensor index) => Wrap(ts_index_select(Handle, dim, index.Handle, out var r), r);
        public Tensor gather(long dim, Tensor index) => Wrap(ts_gather(Handle, dim, index.Handle, out var r), r);
        public Tensor scatter(long dim, Tensor index, Tensor source) => Wrap(ts_scatter(Handle, dim, index.Handle, source.Handle, out var r), r);
        public Tensor scatter_add(long dim, Tensor index, Tensor source) => Wrap(ts_scatter_add(Handle, dim, index.Handle, source.Handle, out var r), r);
        public Tensor squeeze() => Wrap(ts_squeeze(Handle, out var r), r);
        public Tensor squeeze(long dim) => Wrap(ts_squeeze_dim(Handle, dim, out var r), r);
        public Tensor unsqueeze(long dim) => Wrap(ts_unsqueeze(Handle, dim, out var r), r);
        public Tensor expand(params long[] shape) => Wrap(ts_expand(Handle, shape, shape.Length, out var r), r);
        public Tensor expand_as(Tensor other) => expand(other.shape);
        public Tensor repeat(params long[] repeats) => Wrap(ts_repeat(Handle, repeats, repeats.Length, out var r), r);
        public Tensor flatten(long start_dim = 0, long end_dim = -1) => Wrap(ts_flatten(Handle, start_dim, end_dim, out var r), r);
        public Tensor flip(params long[] dims) => Wrap(ts_flip(Handle, dims, dims.Length, out var r), r);
        public Tensor roll(long shift, long dim) => Wrap(ts_roll(Handle, [shift], [dim], 1, out var r), r);
        public Tensor tril(long diagonal = 0) => Wrap(ts_tril(Handle, diagonal, out var r), r);
        public Tensor triu(long diagonal = 0) => Wrap(ts_triu(Handle, diagonal, out var r), r);
        public Tensor masked_fill(Tensor mask, Scalar value) => Wrap(ts_masked_fill(Handle, mask.Handle, value.Native, out var r), r);
        public Tensor masked_select(Tensor mask) => Wrap(ts_masked_select(Handle, mask.Handle, out var r), r);
        public Tensor nonzero() => Wrap(ts_nonzero(Handle, out var r), r);

        public Tensor[] split(long size, long dim = 0) => WrapList(ts_split(Handle, size, dim, out var list, out var n), list, n);
        public Tensor[] split(long[] sizes, long dim = 0) => WrapList(ts_split_with_sizes(Handle, sizes, sizes.Length, dim, out var list, out var n), list, n);
        public Tensor[] chunk(long chunks, long dim = 0) => WrapList(ts_chunk(Handle, chunks, dim, out var list, out var n), list, n);
        public Tensor[] unbind(long dim = 0) => WrapList(ts_unbind(Handle, dim, out var list, out var n), list, n);

        internal static unsafe Tensor[] WrapList(int status, IntPtr list, long count)
        {
            Native.Status.Check(status);
            try
            {
                var pointers = new ReadOnlySpan<IntPtr>((void*)list, checked((int)count));
                var result = new Tensor[count];
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = new Tensor(pointers[i]);
                }

                return result;
            }
            finally
            {
                ts_free(list);
            }
        }

        // --- conversion and copies -------------------------------------------------------------

        public Tensor to(ScalarType type) => Wrap(ts_to_dtype(Handle, (int)type, out var r), r);
        public Tensor to(Device target, bool non_blocking = false) => Wrap(ts_to_device(Handle, (int)target.type, target.index, non_blocking ? 1 : 0, out var r), r);

        public Tensor to(ScalarType type, Device target)
        {
            using var moved = to(target);
            return moved.to(type);
        }

        public Tensor type(ScalarType type) => to(type);
        public Tensor cpu() => to(CPU);
        public Tensor cuda(int index = -1) => to(new Device(DeviceType.CUDA, index));
        public Tensor clone() => Wrap(ts_clone(Handle, out var r), r);
        public Tensor contiguous() => Wrap(ts_contiguous(Handle, out var r), r);

        /// <summary>A second handle to the same tensor, owned (and disposed) independently.</summary>
        public Tensor alias() => Wrap(ts_alias(Handle, out var r), r);

        /// <summary>Replaces this tensor's data (keeping its identity and autograd leaf status).</summary>
        public void set_data(Tensor source) => Native.Status.Check(ts_set_data(Handle, source.Handle));
    }
}
