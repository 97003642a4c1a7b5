using System.Runtime.CompilerServices;

namespace Pipeline.Testing;

/// <summary>
/// Compiled into every test assembly that runs torch code: loads and tunes the torch runtime
/// (malloc thresholds, thread count) before any test's first op, as the CLI does at start-up.
/// </summary>
internal static class TorchModuleInitializer
{
#pragma warning disable CA2255 // a test assembly is an entry point, which is what module initializers are for
    [ModuleInitializer]
    internal static void Initialize() => Pipeline.Torch.TorchRuntime.Initialize();
#pragma warning restore CA2255
}
