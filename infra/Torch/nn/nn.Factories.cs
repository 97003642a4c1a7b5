using Pipeline.Torch.Modules;

namespace Pipeline.Torch;

public static partial class torch
{
    // Factory functions with PyTorch's argument names, as TorchSharp's torch.nn.*.
    public static partial class nn
    {
        public static Modules.Linear Linear(long in_features, long out_features, bool bias = true, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
            new(in_features, out_features, bias, device, dtype);

        public static Modules.Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
            new(in_channels, out_channels, (kernel_size, kernel_size), (stride, stride), (padding, padding), (dilation, dilation), groups, bias, device, dtype);

        public static Modules.Conv2d Conv2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, (long, long)? dilation = null, long groups = 1, bool bias = true, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
            new(in_channels, out_channels, kernel_size, stride ?? (1, 1), padding ?? (0, 0), dilation ?? (1, 1), groups, bias, device, dtype);

        public static Modules.ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long output_padding = 0, long groups = 1, bool bias = true, long dilation = 1, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
            new(in_channels, out_channels, (kernel_size, kernel_size), (stride, stride), (padding, padding), (output_padding, output_padding), groups, bias, (dilation, dilation), device, dtype);

        public static Modules.BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
            new(num_features, eps, momentum, affine, track_running_stats, device, dtype);

        public static Modules.LayerNorm LayerNorm(long normalized_shape, double eps = 1e-5, bool elementwise_affine = true, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
            new([normalized_shape], eps, elementwise_affine, device, dtype);

        public static Modules.LayerNorm LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
            new(normalized_shape, eps, elementwise_affine, device, dtype);

        public static Modules.GroupNorm GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
            new(num_groups, num_channels, eps, affine, device, dtype);

        public static Modules.MultiheadAttention MultiheadAttention(long embed_dim, long num_heads, double dropout = 0, bool bias = true, bool batch_first = false, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
            new(embed_dim, num_heads, dropout, bias, batch_first, device, dtype);

        public static Modules.Dropout Dropout(double p = 0.5) => new(p);
        public static Modules.ReLU ReLU() => new();
        public static Modules.ReLU6 ReLU6() => new();
        public static Modules.LeakyReLU LeakyReLU(double negative_slope = 0.01) => new(negative_slope);
        public static Modules.GELU GELU(bool tanh_approximation = false) => new(tanh_approximation);
        public static Modules.Sigmoid Sigmoid() => new();
        public static Modules.Tanh Tanh() => new();
        public static Modules.Hardswish Hardswish() => new();
        public static Modules.SiLU SiLU() => new();
        public static Modules.Identity Identity() => new();
        public static Modules.Flatten Flatten(long start_dim = 1, long end_dim = -1) => new(start_dim, end_dim);
        public static Modules.MaxPool2d MaxPool2d(long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false) =>
            new((kernel_size, kernel_size), stride is { } s ? (s, s) : null, (padding, padding), ceil_mode);
        public static Modules.AvgPool2d AvgPool2d(long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true) =>
            new((kernel_size, kernel_size), stride is { } s ? (s, s) : null, (padding, padding), ceil_mode, count_include_pad);
        public static Modules.AdaptiveAvgPool2d AdaptiveAvgPool2d(long output_size) => new((output_size, output_size));
        public static Modules.Sequential Sequential(params Module<Tensor, Tensor>[] modules) => new(modules);
        public static Modules.Sequential Sequential(params (string name, Module<Tensor, Tensor> module)[] modules) => new(modules);
        public static ModuleList<T> ModuleList<T>(params T[] modules)
            where T : Module => new(modules);
    }
}
