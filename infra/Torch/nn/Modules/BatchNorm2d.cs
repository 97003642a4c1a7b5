using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Modules;

/// <summary>Batch norm over [N, C, H, W] with running statistics (state-dict names as PyTorch's).</summary>
public sealed class BatchNorm2d : nn.Module<Tensor, Tensor>
{
    public BatchNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(BatchNorm2d))
    {
        this.eps = eps;
        this.momentum = momentum;
        if (affine)
        {
            using var w = ones([num_features], dtype, device);
            using var b = zeros([num_features], dtype, device);
            weight = new nn.Parameter(w);
            bias = new nn.Parameter(b);
        }

        if (track_running_stats)
        {
            running_mean = zeros([num_features], dtype, device);
            running_var = ones([num_features], dtype, device);
            num_batches_tracked = zeros([], ScalarType.Int64, device);
            register_buffer(nameof(running_mean), running_mean);
            register_buffer(nameof(running_var), running_var);
            register_buffer(nameof(num_batches_tracked), num_batches_tracked);
        }

        RegisterComponents();
    }

    public double eps { get; }

    public double momentum { get; }

    public nn.Parameter? weight { get; }

    public nn.Parameter? bias { get; }

    public Tensor? running_mean { get; }

    public Tensor? running_var { get; }

    public Tensor? num_batches_tracked { get; }

    public override Tensor forward(Tensor input)
    {
        var useBatchStats = training || running_mean is null;
        if (training && num_batches_tracked is not null)
        {
            using var _ = no_grad();
            num_batches_tracked.add_(1);
        }

        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, useBatchStats, momentum, eps);
    }
}
