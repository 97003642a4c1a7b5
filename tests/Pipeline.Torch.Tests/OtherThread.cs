namespace Pipeline.Torch.Tests;

internal static class OtherThread
{
    /// <summary>Runs <paramref name="action"/> on a new thread (never the caller's) and returns what it threw.</summary>
    public static Exception? Run(Action action)
    {
        Exception? thrown = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                thrown = e;
            }
        });
        thread.Start();
        thread.Join();
        return thrown;
    }
}
