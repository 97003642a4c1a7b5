using System.CommandLine;
using System.Globalization;
using Pipeline.Graph.Queue;
using Pipeline.Graph.Run;
using Pipeline.Storage;

namespace Pipeline.Cli.Commands;

/// <summary>`worker`: pulls videos from an Azure Storage queue (filled by `enqueue`) until it is empty.</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var flags = new RunFlags();
        var defaults = new QueueWorkerOptions();
        var queue = new Option<string>("--queue") { Description = "The Azure Storage queue to take videos from (in the account of AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_ACCOUNT).", Required = true };
        var visibility = new Option<int>("--visibility-timeout") { Description = "Seconds a taken message stays hidden; renewed every third of that while its video runs, so it only bounds how soon a dead worker's video is retried.", DefaultValueFactory = _ => (int)defaults.VisibilityTimeout.TotalSeconds };
        var attempts = new Option<int>("--max-attempts") { Description = "Deliveries before a message is moved to the poison queue (<queue>-poison).", DefaultValueFactory = _ => defaults.MaxAttempts };
        var poll = new Option<double>("--poll-interval") { Description = "Seconds between polls while the queue has no visible message.", DefaultValueFactory = _ => defaults.PollInterval.TotalSeconds };
        var command = new Command("worker", "Take videos from a work queue and label them, until the queue is empty (messages in flight included). Start as many as you like, on any machines: each video is committed once; a dead worker's video returns to the queue.")
        {
            queue, visibility, attempts, poll,
        };
        foreach (var option in flags.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (r, ct) =>
        {
            var options = flags.Bind(r);
            var workerOptions = new QueueWorkerOptions
            {
                VisibilityTimeout = TimeSpan.FromSeconds(r.GetValue(visibility)),
                MaxAttempts = r.GetValue(attempts),
                PollInterval = TimeSpan.FromSeconds(r.GetValue(poll)),
            };
            using var loggers = RunFlags.Loggers(r.GetValue(flags.Quiet));
            var logger = loggers.CreateLogger("worker");
            return await RunFlags.ExitCodeOfAsync("worker", "interrupted; committed videos are kept and unfinished ones are back on the queue", async () =>
            {
                options.Validate();
                workerOptions.Validate();
                var storage = flags.Storage.Resolve(r) ?? throw new ArgumentException($"worker needs Azure Storage credentials for its queue: {StorageFlags.CredentialsHelp}");
                var name = r.GetValue(queue)!;
                var work = new AzureMessageQueue(storage.Credentials, name);
                var poison = new AzureMessageQueue(storage.Credentials, name + workerOptions.PoisonSuffix);
                options.ManifestName = string.Create(CultureInfo.InvariantCulture, $"run-manifest.worker-{Environment.MachineName}-{Environment.ProcessId}-{DateTimeOffset.UtcNow:yyyyMMddTHHmmss}.json");
                RunManifest manifest;
                await using (var progress = new ProgressReporter(Console.Error, !Console.IsErrorRedirected, r.GetValue(flags.Quiet)))
                {
                    manifest = await new QueueWorker(work, poison, workerOptions, storage, logger).RunAsync(new PrelabelRunner(options, logger, progress, storage), ct);
                }

                PrelabelCommand.PrintSummary(manifest, options.ManifestName);
                return manifest.Summary.Failed > 0 ? 3 : 0;
            }, ct);
        });
        return command;
    }
}
