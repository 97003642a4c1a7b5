using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Modules;

public sealed class MaxPool2d((long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, bool ceil_mode = false)
    : Lambda(nameof(MaxPool2d), x => nn.functional.max_pool2d(x, kernel_size, stride, padding, null, ceil_mode));

public sealed class AvgPool2d((long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, bool ceil_mode = false, bool count_include_pad = true)
    : Lambda(nameof(AvgPool2d), x => nn.functional.avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad));

public sealed class AdaptiveAvgPool2d((long, long) output_size)
    : Lambda(nameof(AdaptiveAvgPool2d), x => nn.functional.adaptive_avg_pool2d(x, output_size));

public sealed class Upsample((long, long)? size = null, (double, double)? scale_factor = null, InterpolationMode mode = InterpolationMode.Nearest, bool align_corners = false)
    : Lambda(nameof(Upsample), x => nn.functional.interpolate(x, size, scale_factor, mode, align_corners));
