using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Torch.Tests;

/// <summary>
/// Compares autograd gradients with central finite differences in float64: for
/// L = Σ f(inputs) ⊙ R with a fixed random R, every sampled input element's dL/dx is
/// checked against (L(x + ε) − L(x − ε)) / 2ε.
/// </summary>
internal static class GradientCheck
{
    public const double Epsilon = 1e-6;

    // |analytic − numeric| ≤ Absolute + Relative·|numeric| (float64, ε = 1e-6: truncation error ~1e-12·f‴).
    public const double Absolute = 1e-6;
    public const double Relative = 1e-5;

    public static void Run(Func<Tensor[], Tensor> function, double[][] values, long[][] shapes, int seed, int samplesPerInput = 40)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        var inputs = values.Select((v, i) => tensor(v, shapes[i], requires_grad: true)).ToArray();
        var output = function(inputs);
        var weights = randn(output.shape, float64, generator: generator);
        (output * weights).sum().backward();
        var analytic = inputs.Select(t => t.grad!.data<double>().ToArray()).ToArray();

        double Loss(double[][] at)
        {
            using var inner = NewDisposeScope();
            using var _ = no_grad();
            var y = function(at.Select((v, i) => tensor(v, shapes[i])).ToArray());
            return (y * weights).sum().ToDouble();
        }

        var random = new Random(seed);
        for (var input = 0; input < values.Length; input++)
        {
            var count = values[input].Length;
            var indices = count <= samplesPerInput ? Enumerable.Range(0, count) : Enumerable.Range(0, samplesPerInput).Select(_ => random.Next(count));
            foreach (var index in indices)
            {
                var original = values[input][index];
                values[input][index] = original + Epsilon;
                var plus = Loss(values);
                values[input][index] = original - Epsilon;
                var minus = Loss(values);
                values[input][index] = original;
                var numeric = (plus - minus) / (2 * Epsilon);
                var difference = Math.Abs(analytic[input][index] - numeric);
                Assert.True(difference <= Absolute + (Relative * Math.Abs(numeric)),
                    $"input {input} element {index}: autograd {analytic[input][index]}, finite difference {numeric}");
            }
        }
    }

    public static double[] Random(Generator g, long[] shape, double low = -1, double high = 1)
    {
        using var t = rand(shape, float64, generator: g) * (high - low) + low;
        return t.data<double>().ToArray();
    }
}
