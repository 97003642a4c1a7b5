using System.Collections;
using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Modules;

/// <summary>Holds submodules in a list, registered as "0", "1", ... (PyTorch's ModuleList).</summary>
public sealed class ModuleList<T> : nn.Module, IReadOnlyList<T>
    where T : nn.Module
{
    private readonly List<T> items = [];

    public ModuleList(params T[] modules)
        : base("ModuleList")
    {
        foreach (var module in modules)
        {
            append(module);
        }
    }

    public int Count => items.Count;

    public T this[int index] => items[index];

    public ModuleList<T> append(T module)
    {
        register_module(items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        items.Add(module);
        return this;
    }

    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
