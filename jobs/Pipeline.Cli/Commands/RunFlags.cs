using System.CommandLine;
using Microsoft.Extensions.Logging;
using Pipeline.Graph;
using Pipeline.Storage;

namespace Pipeline.Cli.Commands;

/// <summary>The flags `prelabel` and `worker` share (output, model, batching, devices, logging), and their binding to <see cref="PrelabelOptions"/>.</summary>
internal sealed class RunFlags
{
    private readonly PrelabelOptions defaults = new();

    public RunFlags()
    {
        Model.AcceptOnlyFromAmong(PoseCommand.PoseModels);
        NeighbourCrops.AcceptOnlyFromAmong("own-box", "key-box");
    }

    public Option<string> Output { get; } = new("--output", "-o") { Description = $"Where results go: a folder, or az://container/prefix (blob storage: {StorageFlags.CredentialsHelp}). Holds <video-id>.parquet files and the run manifest.", Required = true };

    public Option<string> Model { get; } = new("--model") { Description = "Pose model.", DefaultValueFactory = _ => new PrelabelOptions().Model };

    public Option<string> NeighbourCrops { get; } = new("--neighbour-crops") { Description = "Temporal models: own-box crops each person-frame once with its own box (one backbone pass per person-frame); key-box crops every neighbour with the key frame's box, as the papers do (2δ+1 passes).", DefaultValueFactory = _ => "own-box" };

    public Option<FileInfo?> Weights { get; } = new("--weights") { Description = "Temporal models: a weights file from `train` (default: the shipped weights, temporal/MODEL.safetensors in the model cache)." };

    public Option<int> DetectEvery { get; } = new("--detect-every") { Description = "Run the detector on every k-th frame; the tracker predicts boxes in between.", DefaultValueFactory = _ => new PrelabelOptions().DetectEvery };

    public Option<int> MaxBatch { get; } = new("--max-batch") { Description = "Windows per pose-model call, at most.", DefaultValueFactory = _ => new PrelabelOptions().MaxPoseBatch };

    public Option<int> ParallelVideos { get; } = new("--parallel-videos") { Description = "Videos decoded at once.", DefaultValueFactory = _ => new PrelabelOptions().ParallelVideos };

    public Option<string[]> Devices { get; } = new("--device") { Description = "Device for a pose worker (repeatable: one worker each): cpu, cuda, cuda:N.", Arity = ArgumentArity.ZeroOrMore };

    public Option<bool> Force { get; } = new("--force") { Description = "Recompute videos already committed in the output." };

    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress or per-video log lines; only the summary." };

    public StorageFlags Storage { get; } = new();

    public Option<string?> WorkDirectory { get; } = new("--work-dir") { Description = "Scratch folder for downloaded blob inputs and results on their way to blob storage (default: a new folder under the system temp folder, removed at the end)." };

    public Option<double> FrameRate { get; } = new("--frame-rate") { Description = "Frames per second of frame-folder inputs (folders of numbered images, e.g. PoseTrack's), which carry no timing; the tracker's timeouts are in seconds (default 25).", DefaultValueFactory = _ => new PrelabelOptions().FrameRate };

    public IEnumerable<Option> All => [Output, Model, NeighbourCrops, Weights, DetectEvery, FrameRate, MaxBatch, ParallelVideos, Devices, Force, Quiet, WorkDirectory, .. Storage.All];

    public PrelabelOptions Bind(ParseResult result) => new()
    {
        Output = result.GetValue(Output)!,
        Model = result.GetValue(Model)!,
        NeighbourCrops = result.GetValue(NeighbourCrops) == "key-box" ? Graph.NeighbourCrops.KeyBox : Graph.NeighbourCrops.OwnBox,
        Weights = result.GetValue(Weights)?.FullName,
        DetectEvery = result.GetValue(DetectEvery),
        FrameRate = result.GetValue(FrameRate),
        MaxPoseBatch = result.GetValue(MaxBatch),
        ParallelVideos = result.GetValue(ParallelVideos),
        Devices = result.GetValue(Devices) is { Length: > 0 } d ? d : defaults.Devices,
        Force = result.GetValue(Force),
        WorkDirectory = result.GetValue(WorkDirectory),
    };

    public static ILoggerFactory Loggers(bool quiet) => LoggerFactory.Create(b => b
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = true;
            o.TimestampFormat = "HH:mm:ss ";
        })
        .SetMinimumLevel(quiet ? LogLevel.Error : LogLevel.Information));

    /// <summary>Exit code after Ctrl+C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>Exit code of a command refused for its options or inputs (bad flag values, malformed manifests, missing inputs): retrying cannot help.</summary>
    public const int UsageExitCode = 2;

    /// <summary>
    /// Runs a command's body: a refused input or environment error becomes one line "<paramref name="command"/>: message" and
    /// its <see cref="ExitCode"/>; Ctrl+C or SIGTERM becomes "<paramref name="command"/>: <paramref name="interrupted"/>" and
    /// <see cref="InterruptedExitCode"/>. Anything else is a bug and keeps its stack trace.
    /// </summary>
    public static async Task<int> ExitCodeOfAsync(string command, string interrupted, Func<Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (IsUsageError(e))
        {
            Console.Error.WriteLine($"{command}: {e.Message}");
            return ExitCode(e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"{command}: {interrupted}");
            return InterruptedExitCode;
        }
    }

    /// <summary>Errors that are the user's input or environment, printed as one line (no stack trace).</summary>
    public static bool IsUsageError(Exception e) =>
        e is ArgumentException or FileNotFoundException or FormatException or NotSupportedException or InvalidDataException or DllNotFoundException or StorageException or UriFormatException;

    /// <summary>2 for a refused option or input (<see cref="UsageExitCode"/>), 1 for the environment (storage, files the product needs).</summary>
    public static int ExitCode(Exception e) =>
        e is ArgumentException or FormatException or NotSupportedException or UriFormatException || (e is FileNotFoundException && e is not DllNotFoundException) ? UsageExitCode : 1;
}
