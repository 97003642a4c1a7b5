namespace Pipeline.Cli.Temporal;

/// <summary>Progress lines to stderr, written at once on the reporting thread (<see cref="Progress{T}"/> would post them to the pool, out of order).</summary>
internal sealed class StderrProgress : IProgress<string>
{
    public void Report(string value) => Console.Error.WriteLine(value);
}
