using System.CommandLine;
using Pipeline.Graph.Inputs;
using Pipeline.Graph.Queue;
using Pipeline.Graph.Remote;
using Pipeline.Graph.Run;
using Pipeline.Storage;

namespace Pipeline.Cli.Commands;

/// <summary>`enqueue`: one queue message per video, for `worker` processes to take.</summary>
internal static class EnqueueCommand
{
    public static Command Create()
    {
        var input = new Option<string[]>("--input", "-i") { Description = "Videos as for prelabel: files, directories, az:// prefixes, manifests. Workers must be able to reach them (blobs, or a shared volume).", Required = true, Arity = ArgumentArity.OneOrMore };
        var pattern = new Option<string[]>("--pattern") { Description = "File-name globs for directories and blob prefixes (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var queue = new Option<string>("--queue") { Description = "The Azure Storage queue to fill (created if missing).", Required = true };
        var skipCommitted = new Option<string>("--skip-committed")
        {
            Description = "The workers' --output (folder or az://container/prefix): videos already committed there are not enqueued (one listing, instead of a message and a worker's check per video). Without it every video is enqueued, and workers skip committed ones.",
        };
        var storageFlags = new StorageFlags();
        var command = new Command("enqueue", "Put one message per input video ({\"id\", \"uri\"}, the ids prelabel would use) on a work queue for `worker` processes.")
        {
            input, pattern, queue, skipCommitted,
        };
        foreach (var option in storageFlags.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (r, ct) =>
        {
            try
            {
                var storage = storageFlags.Resolve(r) ?? throw new ArgumentException($"enqueue needs Azure Storage credentials for its queue: {StorageFlags.CredentialsHelp}");
                var videos = await InputResolver.ResolveAsync(r.GetValue(input)!, r.GetValue(pattern) ?? [], storage, ct);
                var client = new AzureMessageQueue(storage.Credentials, r.GetValue(queue)!);
                await client.CreateIfNotExistsAsync(ct);
                var output = r.GetValue(skipCommitted);
                var committed = output is null ? new HashSet<string>() : await ResultStores.ListCommittedIdsAsync(output, storage, ct);
                var pending = videos.Where(v => !committed.Contains(v.VideoId)).ToList();
                foreach (var video in pending)
                {
                    await client.SendAsync(VideoMessage.Create(video), ct);
                }

                var skipped = videos.Count - pending.Count;
                Console.WriteLine($"enqueued {pending.Count} videos on queue '{client.Name}' of account '{client.Account}'" + (output is null ? "" : $" ({skipped} already committed in {BlobUri.Redact(output)}: not enqueued)"));
                return 0;
            }
            catch (Exception e) when (RunFlags.IsUsageError(e))
            {
                Console.Error.WriteLine($"enqueue: {e.Message}");
                return RunFlags.ExitCode(e);
            }
        });
        return command;
    }
}
