using System.Collections;
using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Modules;

/// <summary>
/// Runs layers in order. Intermediate results are disposed as soon as the next layer has
/// consumed them (layers must not keep references to their outputs); the caller owns the result.
/// </summary>
public sealed class Sequential : nn.Module<Tensor, Tensor>, IEnumerable<nn.Module<Tensor, Tensor>>
{
    private readonly List<nn.Module<Tensor, Tensor>> layers = [];

    public Sequential()
        : base(nameof(Sequential))
    {
    }

    public Sequential(params nn.Module<Tensor, Tensor>[] modules)
        : base(nameof(Sequential))
    {
        foreach (var module in modules)
        {
            append(module);
        }
    }

    public Sequential(params (string name, nn.Module<Tensor, Tensor> module)[] modules)
        : base(nameof(Sequential))
    {
        foreach (var (name, module) in modules)
        {
            register_module(name, module);
            layers.Add(module);
        }
    }

    public int Count => layers.Count;

    public nn.Module<Tensor, Tensor> this[int index] => layers[index];

    public Sequential append(nn.Module<Tensor, Tensor> module)
    {
        register_module(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        layers.Add(module);
        return this;
    }

    public override Tensor forward(Tensor input)
    {
        var current = input;
        foreach (var layer in layers)
        {
            var next = layer.forward(current);
            if (!ReferenceEquals(current, input) && !ReferenceEquals(current, next))
            {
                current.Dispose();
            }

            current = next;
        }

        return ReferenceEquals(current, input) ? input.alias() : current;
    }

    public IEnumerator<nn.Module<Tensor, Tensor>> GetEnumerator() => layers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
