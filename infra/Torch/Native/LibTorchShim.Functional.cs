using System.Runtime.InteropServices;

namespace Pipeline.Torch.Native;

// [LibraryImport] declarations mirroring infra/native/shim/nn_functional.cpp and optim_io.cpp.
// Pairs such as stride and padding travel as two-element (h, w) arrays.
internal static partial class LibTorchShim
{
    [LibraryImport(Library)] internal static partial int ts_conv2d(TensorHandle input, TensorHandle weight, TensorHandle bias, long[] stride, long[] padding, long[] dilation, long groups, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_conv1d(TensorHandle input, TensorHandle weight, TensorHandle bias, long stride, long padding, long dilation, long groups, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_conv_transpose2d(TensorHandle input, TensorHandle weight, TensorHandle bias, long[] stride, long[] padding, long[] outputPadding, long groups, long[] dilation, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_linear(TensorHandle input, TensorHandle weight, TensorHandle bias, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_deform_conv2d(TensorHandle input, TensorHandle weight, TensorHandle offset, TensorHandle mask, TensorHandle bias, long[] stride, long[] padding, long[] dilation, long groups, long deformGroups, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_batch_norm(TensorHandle input, TensorHandle weight, TensorHandle bias, TensorHandle runningMean, TensorHandle runningVar, int training, double momentum, double eps, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_layer_norm(TensorHandle input, long[] shape, long n, TensorHandle weight, TensorHandle bias, double eps, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_group_norm(TensorHandle input, long groups, TensorHandle weight, TensorHandle bias, double eps, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_leaky_relu(TensorHandle input, double slope, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_gelu(TensorHandle input, int tanhApproximation, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_elu(TensorHandle input, double alpha, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_dropout(TensorHandle input, double p, int training, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_dropout2d(TensorHandle input, double p, int training, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_max_pool2d(TensorHandle input, long[] kernel, long[] stride, long[] padding, long[] dilation, int ceilMode, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_avg_pool2d(TensorHandle input, long[] kernel, long[] stride, long[] padding, int ceilMode, int countIncludePad, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_adaptive_avg_pool2d(TensorHandle input, long[] size, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_adaptive_max_pool2d(TensorHandle input, long[] size, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_interpolate(TensorHandle input, long[]? size, double[]? scale, int mode, int alignCorners, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_pad(TensorHandle input, long[] pads, long n, int mode, double value, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_affine_grid(TensorHandle theta, long[] size, long n, int alignCorners, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_grid_sample(TensorHandle input, TensorHandle grid, int mode, int padding, int alignCorners, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_pixel_shuffle(TensorHandle input, long factor, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_one_hot(TensorHandle input, long classes, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_scaled_dot_product_attention(TensorHandle q, TensorHandle k, TensorHandle v, TensorHandle mask, double dropoutP, int isCausal, double scale, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_mse_loss(TensorHandle input, TensorHandle target, long reduction, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_l1_loss(TensorHandle input, TensorHandle target, long reduction, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_smooth_l1_loss(TensorHandle input, TensorHandle target, long reduction, double beta, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_cross_entropy(TensorHandle input, TensorHandle target, TensorHandle weight, long reduction, long ignoreIndex, double labelSmoothing, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_nll_loss(TensorHandle input, TensorHandle target, TensorHandle weight, long reduction, long ignoreIndex, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_binary_cross_entropy_with_logits(TensorHandle input, TensorHandle target, TensorHandle weight, TensorHandle posWeight, long reduction, out IntPtr result);
    [LibraryImport(Library)] internal static partial int ts_binary_cross_entropy(TensorHandle input, TensorHandle target, TensorHandle weight, long reduction, out IntPtr result);

    [LibraryImport(Library)] internal static partial int ts_cuda_is_available(out int value);
    [LibraryImport(Library)] internal static partial int ts_cuda_device_count(out int value);
    [LibraryImport(Library)] internal static partial int ts_cuda_synchronize(int index);
    [LibraryImport(Library)] internal static partial int ts_cuda_empty_cache();
    [LibraryImport(Library)] internal static partial int ts_set_cudnn_benchmark(int enabled);
    [LibraryImport(Library)] internal static partial int ts_cpu_pool_stats(out long mapped, out long cached);
    [LibraryImport(Library)] internal static partial int ts_cpu_pool_empty();

    [LibraryImport(Library)] internal static partial int ts_optim_adamw_new(IntPtr[] parameters, long n, double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad, out IntPtr optimizer);
    [LibraryImport(Library)] internal static partial int ts_optim_adam_new(IntPtr[] parameters, long n, double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad, out IntPtr optimizer);
    [LibraryImport(Library)] internal static partial int ts_optim_sgd_new(IntPtr[] parameters, long n, double lr, double momentum, double dampening, double weightDecay, int nesterov, out IntPtr optimizer);
    [LibraryImport(Library)] internal static partial void ts_optim_free(IntPtr optimizer);
    [LibraryImport(Library)] internal static partial int ts_optim_step(IntPtr optimizer);
    [LibraryImport(Library)] internal static partial int ts_optim_zero_grad(IntPtr optimizer);
    [LibraryImport(Library)] internal static partial int ts_optim_set_lr(IntPtr optimizer, double lr);
    [LibraryImport(Library)] internal static partial int ts_optim_get_lr(IntPtr optimizer, out double lr);

    [LibraryImport(Library)] internal static unsafe partial int ts_pickle_load_dict(byte* bytes, long length, out IntPtr names, out IntPtr tensors, out long count);
    [LibraryImport(Library)] internal static partial int ts_pickle_save_dict(IntPtr[] names, IntPtr[] tensors, long count, out IntPtr bytes, out long length);
}
