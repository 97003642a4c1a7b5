namespace Pipeline.Torch;

/// <summary>
/// Collects every tensor created on this thread while it is the innermost scope and
/// disposes them with the scope, so loops over temporaries keep native memory flat.
/// Scopes are thread-local: never hold one across an <c>await</c>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic]
    private static DisposeScope? current;

    private readonly HashSet<torch.Tensor> tensors = new(ReferenceEqualityComparer.Instance);
    private readonly int threadId = Environment.CurrentManagedThreadId;
    private bool disposed;

    internal DisposeScope()
    {
        OuterScope = current;
        current = this;
    }

    /// <summary>The scope this one was opened inside, if any.</summary>
    public DisposeScope? OuterScope { get; }

    /// <summary>How many tensors this scope will dispose.</summary>
    public int DisposablesCount => tensors.Count;

    internal static DisposeScope? Current => current;

    /// <summary>Keeps <paramref name="tensor"/> alive past this scope (handing it to the outer one, if any).</summary>
    public T MoveToOuter<T>(T tensor)
        where T : torch.Tensor
    {
        if (tensors.Remove(tensor))
        {
            tensor.OwningScope = null;
            OuterScope?.Attach(tensor);
        }

        return tensor;
    }

    /// <summary>Removes <paramref name="tensor"/> from every scope: the caller disposes it.</summary>
    public T Detach<T>(T tensor)
        where T : torch.Tensor
    {
        if (tensors.Remove(tensor))
        {
            tensor.OwningScope = null;
        }

        return tensor;
    }

    internal void Attach(torch.Tensor tensor)
    {
        tensors.Add(tensor);
        tensor.OwningScope = this;
    }

    internal void Forget(torch.Tensor tensor) => tensors.Remove(tensor);

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        if (Environment.CurrentManagedThreadId != threadId)
        {
            throw new InvalidOperationException("a DisposeScope must be disposed on the thread that opened it (was it held across an await?)");
        }

        disposed = true;
        foreach (var tensor in tensors)
        {
            tensor.OwningScope = null;
            tensor.Dispose();
        }

        tensors.Clear();
        if (ReferenceEquals(current, this))
        {
            current = OuterScope;
        }
    }
}
