using System.Runtime.InteropServices;

namespace Pipeline.Torch.Native;

// [LibraryImport] declarations mirroring infra/native/shim/tensor_core.cpp, one per export.
// Every call returns a status code (0 = ok); callers pass it to Status.Check.
internal static partial class LibTorchShim
{
    internal const string Library = "torchshim";

    [LibraryImport(Library)] internal static partial IntPtr ts_last_error();
    [LibraryImport(Library)] internal static partial void ts_free(IntPtr pointer);
    [LibraryImport(Library)] internal static partial int ts_set_num_threads(int threads);
    [LibraryImport(Library)] internal static partial int ts_get_num_threads(out int threads);
    [LibraryImport(Library)] internal static partial int ts_manual_seed(ulong seed);
    [LibraryImport(Library)] internal static partial int ts_version(out IntPtr text);

    [LibraryImport(Library)] internal static partial void ts_tensor_free(IntPtr tensor);
    [LibraryImport(Library)] internal static partial int ts_dim(TensorHandle t, out long dim);
    [LibraryImport(Library)] internal static partial int ts_sizes(TensorHandle t, long[] sizes);
    [LibraryImport(Library)] internal static partial int ts_strides(TensorHandle t, long[] strides);
    [LibraryImport(Library)] internal static partial int ts_dtype(TensorHandle t, out int dtype);
    [LibraryImport(Library)] internal static partial int ts_device(TensorHandle t, out int type, out int index);
    [LibraryImport(Library)] internal static partial int ts_numel(TensorHandle t, out long numel);
    [LibraryImport(Library)] internal static partial int ts_is_contiguous(TensorHandle t, out int value);
    [LibraryImport(Library)] internal static partial int ts_item_double(TensorHandle t, out double value);
    [LibraryImport(Library)] internal static partial int ts_item_long(TensorHandle t, out long value);
    [LibraryImport(Library)] internal static partial int ts_to_string(TensorHandle t, out IntPtr text);

    [LibraryImport(Library)] internal static unsafe partial int ts_from_buffer(void* data, long nbytes, long[] shape, long ndim, int dtype, out IntPtr result);
    [LibraryImport(Library)] internal static unsafe partial int ts_copy_to_buffer(TensorHandle t, void* data, long nbytes);
    [LibraryImport(Library)] internal static partial int ts_empty(long[] shape, long ndim, int dtype, int device, int index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_zeros(long[] shape, long ndim, int dtype, int device, int index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_ones(long[] shape, long ndim, int dtype, int device, int index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_full(long[] shape, long ndim, NativeScalar value, int dtype, int device, int index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_arange(NativeScalar start, NativeScalar end, NativeScalar step, int dtype, int device, int index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_linspace(double start, double end, long steps, int dtype, int device, int index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_eye(long n, int dtype, int device, int index, out IntPtr result);

    [LibraryImport(Library)] internal static partial int ts_generator_new(ulong seed, out IntPtr generator);
    [LibraryImport(Library)] internal static partial void ts_generator_free(IntPtr generator);
    [LibraryImport(Library)] internal static partial int ts_rand(long[] shape, long ndim, IntPtr generator, int dtype, int device, int index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_randn(long[] shape, long ndim, IntPtr generator, int dtype, int device, int index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_randint(long low, long high, long[] shape, long ndim, IntPtr generator, int dtype, int device, int index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_randperm(long n, IntPtr generator, int device, int index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_uniform_(TensorHandle t, double from, double to, IntPtr generator);
    [LibraryImport(Library)] internal static partial int ts_normal_(TensorHandle t, double mean, double std, IntPtr generator);
    [LibraryImport(Library)] internal static partial int ts_bernoulli(TensorHandle probabilities, IntPtr generator, out IntPtr result);

    [LibraryImport(Library)] internal static partial int ts_to_dtype(TensorHandle t, int dtype, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_to_device(TensorHandle t, int device, int index, int nonBlocking, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_clone(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_contiguous(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_detach(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_alias(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_copy_(TensorHandle destination, TensorHandle source);
    [LibraryImport(Library)] internal static partial int ts_fill_(TensorHandle t, NativeScalar value);
    [LibraryImport(Library)] internal static partial int ts_zero_(TensorHandle t);
    [LibraryImport(Library)] internal static partial int ts_set_data(TensorHandle t, TensorHandle source);

    [LibraryImport(Library)] internal static partial int ts_view(TensorHandle t, long[] shape, long n, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_reshape(TensorHandle t, long[] shape, long n, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_permute(TensorHandle t, long[] order, long n, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_transpose(TensorHandle t, long dim0, long dim1, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_narrow(TensorHandle t, long dim, long start, long length, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_slice(TensorHandle t, long dim, long start, long end, long step, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_select(TensorHandle t, long dim, long index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_index_select(TensorHandle t, long dim, TensorHandle index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_gather(TensorHandle t, long dim, TensorHandle index, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_scatter(TensorHandle t, long dim, TensorHandle index, TensorHandle source, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_scatter_add(TensorHandle t, long dim, TensorHandle index, TensorHandle source, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_squeeze(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_squeeze_dim(TensorHandle t, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_unsqueeze(TensorHandle t, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_expand(TensorHandle t, long[] shape, long n, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_repeat(TensorHandle t, long[] repeats, long n, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_flatten(TensorHandle t, long start, long end, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_flip(TensorHandle t, long[] dims, long n, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_roll(TensorHandle t, long[] shifts, long[] dims, long n, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_tril(TensorHandle t, long diagonal, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_triu(TensorHandle t, long diagonal, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_cat(IntPtr[] tensors, long n, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_stack(IntPtr[] tensors, long n, long dim, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_split(TensorHandle t, long size, long dim, out IntPtr results, out long count);
    [LibraryImport(Library)] internal static partial int ts_split_with_sizes(TensorHandle t, long[] sizes, long n, long dim, out IntPtr results, out long count);
    [LibraryImport(Library)] internal static partial int ts_chunk(TensorHandle t, long chunks, long dim, out IntPtr results, out long count);
    [LibraryImport(Library)] internal static partial int ts_unbind(TensorHandle t, long dim, out IntPtr results, out long count);
    [LibraryImport(Library)] internal static partial int ts_index(TensorHandle t, IntPtr[] indices, long n, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_index_put_(TensorHandle t, IntPtr[] indices, long n, TensorHandle values, int accumulate);
    [LibraryImport(Library)] internal static partial int ts_masked_fill(TensorHandle t, TensorHandle mask, NativeScalar value, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_masked_select(TensorHandle t, TensorHandle mask, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_nonzero(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_where(TensorHandle condition, TensorHandle a, TensorHandle b, out IntPtr result);

    [LibraryImport(Library)] internal static partial int ts_requires_grad(TensorHandle t, out int value);
    [LibraryImport(Library)] internal static partial int ts_set_requires_grad(TensorHandle t, int value);
    [LibraryImport(Library)] internal static partial int ts_is_leaf(TensorHandle t, out int value);
    [LibraryImport(Library)] internal static partial int ts_grad(TensorHandle t, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_set_grad(TensorHandle t, TensorHandle grad);
    [LibraryImport(Library)] internal static partial int ts_backward(TensorHandle t, TensorHandle grad, int retainGraph, int createGraph);
    [LibraryImport(Library)] internal static partial int ts_is_grad_enabled(out int value);
    [LibraryImport(Library)] internal static partial int ts_set_grad_enabled(int enabled);
    [LibraryImport(Library)] internal static partial int ts_inference_mode_enter(out IntPtr guard);
    [LibraryImport(Library)] internal static partial void ts_inference_mode_exit(IntPtr guard);
}
