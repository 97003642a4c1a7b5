using System.Diagnostics;
using Azure.Storage.Sas;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Graph.Inputs;
using Pipeline.Graph.Remote;
using Pipeline.Graph.Run;
using Pipeline.Storage;
using Pipeline.Testing;
using static Pipeline.Testing.ParquetQuery;

namespace Pipeline.Graph.Tests;

/// <summary>Prelabel with videos read from, and results written to, blob storage (Azurite on free local ports).</summary>
public sealed class BlobStorageRunTests : IDisposable
{
    private readonly StorageTestBed bed = new();

    public void Dispose() => bed.Dispose();

    // The product's retry policy as it ships (StorageClientOptions, about 30 s): a shorter one made the
    // outage test fail whenever Azurite's restart took longer than its retries on a loaded machine.
    private RemoteStorage Storage()
    {
        var credentials = bed.Credentials;
        return new RemoteStorage(credentials, new AzureBlobStore(credentials));
    }

    private static PrelabelOptions Options(string output) => new() { Output = output, Model = "movenet-lightning" };

    [Fact]
    [Trait("Category", "Slow")]
    public async Task ReadsVideosFromAContainerWritesParquetAndTheManifestBackAndResumes()
    {
        var storage = Storage();
        var good = new[] { bed.Clips.Cut("a.mp4", 12, 1), bed.Clips.Cut("b.mkv", 40, 1) };
        var text = Path.Combine(bed.Clips.Directory, "notes-as-video.mp4");
        File.WriteAllText(text, "not a video");
        var notes = Path.Combine(bed.Clips.Directory, "readme.txt");
        File.WriteAllText(notes, "ignored: does not match the patterns");
        await StorageTestBed.UploadAsync(storage.Blobs, "archive", "cams/day 1/", [.. good, text, notes]);
        await StorageTestBed.UploadAsync(storage.Blobs, "archive", "cams-other/", [good[0]]); // a sibling prefix, not below cams/

        var videos = await InputResolver.ResolveAsync(["az://archive/cams/"], storage: storage);
        Assert.Equal(["az://archive/cams/day 1/a.mp4", "az://archive/cams/day 1/b.mkv", "az://archive/cams/day 1/notes-as-video.mp4"], videos.Select(v => v.Uri));
        var manifest = await new PrelabelRunner(Options("az://labels/runs/one"), NullLogger.Instance, storage: storage).RunAsync(videos, ["az://archive/cams/"]);
        Assert.Equal(2, manifest.Summary.Done);
        var failed = Assert.Single(manifest.Videos, v => v.Status == "failed");
        Assert.Contains("notes-as-video.mp4", failed.Reason);

        // What landed: one Parquet blob per good video and the manifest, nothing else.
        var names = new List<string>();
        await foreach (var blob in storage.Blobs.ListAsync("labels"))
        {
            names.Add(blob.Name);
        }

        Assert.Equal(videos.Take(2).Select(v => $"runs/one/{v.VideoId}.parquet").Append("runs/one/run-manifest.json").Order(), names.Order());
        var downloaded = await bed.DownloadAsync(storage.Blobs, "labels", "runs/one/", "from-blob");
        var published = RunManifest.Read(Path.Combine(downloaded, "run-manifest.json"));
        Assert.Equal("completed", published.Status);
        Assert.Equal(manifest.Videos.Select(v => (v.Id, v.Status, v.Output)), published.Videos.Select(v => (v.Id, v.Status, v.Output)));
        Assert.Equal($"az://labels/runs/one/{videos[0].VideoId}.parquet", published.Videos[0].Output);
        Assert.DoesNotContain(Azurite.Key, File.ReadAllText(Path.Combine(downloaded, "run-manifest.json")));

        // The same videos run locally give the same rows (ids and URIs aside: they name where the video came from).
        var local = Path.Combine(bed.Work, "local");
        var localVideos = good.Select(f => InputResolver.ForFile(f)).ToList();
        await new PrelabelRunner(Options(local), NullLogger.Instance).RunAsync(localVideos, good);
        foreach (var (blobVideo, localVideo) in videos.Zip(localVideos))
        {
            File.Move(Path.Combine(local, localVideo.VideoId + ".parquet"), Path.Combine(local, blobVideo.VideoId + ".parquet"));
        }

        AssertSameFiles(local, downloaded, 2, "video_id", "video_uri");

        // Re-running skips what is committed and retries only the failed video.
        var again = await new PrelabelRunner(Options("az://labels/runs/one"), NullLogger.Instance, storage: storage).RunAsync(videos, ["az://archive/cams/"]);
        Assert.Equal((0, 2, 1), (again.Summary.Done, again.Summary.Skipped, again.Summary.Failed));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task AStorageOutageMidRunIsRetriedAndNothingIsLost()
    {
        var storage = Storage();
        var inputs = Enumerable.Range(0, 4).Select(i => bed.Clips.Cut($"o{i}.mp4", 8 + (i * 15), 1.5)).ToList();
        await StorageTestBed.UploadAsync(storage.Blobs, "archive", "outage/", inputs);
        var videos = await InputResolver.ResolveAsync(["az://archive/outage/"], storage: storage);
        var run = new PrelabelRunner(Options("az://labels/outage"), NullLogger.Instance, storage: storage).RunAsync(videos, ["az://archive/outage/"]);

        // Once the first video is committed, stop the service for 3 s: the rest meet the outage.
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!await storage.Blobs.ExistsAsync("labels", $"outage/{videos[0].VideoId}.parquet") && !run.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.False(run.IsCompleted, "the run finished before the outage");
        var outage = Stopwatch.StartNew();
        bed.Azurite.Stop();
        await Task.Delay(3000);
        bed.Azurite.Start();
        var down = outage.Elapsed.TotalSeconds;
        var manifest = await run;
        var failures = string.Join("; ", manifest.Videos.Where(v => v.Status != "done").Select(v => $"{v.Id} {v.Status}: {v.Reason}"));
        Assert.True(manifest.Summary.Done == 4, $"{manifest.Summary.Done} of 4 done after a {down:F1} s outage (retries cover about 30 s): {failures}");
        foreach (var video in videos)
        {
            Assert.True(await storage.Blobs.ExistsAsync("labels", $"outage/{video.VideoId}.parquet"), video.Uri);
        }
    }

    [Fact]
    public async Task AContainerScopedSasCanWriteResultsIntoItsExistingContainer()
    {
        var keyed = bed.Credentials;
        var admin = new AzureBlobStore(keyed);
        await admin.CreateContainerIfNotExistsAsync("labels");
        var sas = new BlobSasBuilder(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.Add | BlobContainerSasPermissions.Create | BlobContainerSasPermissions.Write | BlobContainerSasPermissions.List, DateTimeOffset.UtcNow.AddHours(1))
        {
            BlobContainerName = "labels",
            Resource = "c",
            Protocol = SasProtocol.HttpsAndHttp,
        };
        var token = sas.ToSasQueryParameters(keyed.SharedKey!).ToString();
        var scoped = StorageCredentials.WithSas(keyed.Account, keyed.BlobEndpoint, token);
        var client = new AzureBlobStore(scoped);
        var parquet = Path.Combine(bed.Work, "v.parquet");
        await File.WriteAllTextAsync(parquet, "stand-in for a Parquet file");
        var results = new BlobResultStore(client, new BlobUri("labels", "run"), Path.Combine(bed.Work, "sink"));

        await results.PrepareAsync(); // the token may not create containers; listing shows this one exists
        Assert.Equal("az://labels/run/v.parquet", await results.CommitAsync(parquet, "v"));
        Assert.True(await admin.ExistsAsync("labels", "run/v.parquet"));

        // Another container stays out of reach, and the error is the service's refusal.
        var elsewhere = new BlobResultStore(client, new BlobUri("other", "run"), Path.Combine(bed.Work, "sink"));
        var error = await Assert.ThrowsAsync<StorageException>(() => elsewhere.PrepareAsync());
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, error.Status);
        Assert.Contains("create container 'other'", error.Message);
    }

    [Fact]
    public async Task WrongCredentialsStopTheRunAtOnceNamingTheAccountAndTheOperation()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var environment = new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = bed.Azurite.ConnectionString(wrongKey) };
        var clock = Stopwatch.StartNew();
        var prelabel = await PipelineProcess.RunAsync(PipelineProcess.Info(["prelabel", "--input", "az://archive/cams/", "--output", "az://labels/x", "--quiet"], environment));
        Assert.Equal(1, prelabel.ExitCode);
        Assert.Contains("storage account 'devstoreaccount1': list 'archive/cams/' failed: HTTP 403", prelabel.Error);
        Assert.DoesNotContain(wrongKey, prelabel.Error + prelabel.Output);

        // Blobs named in a manifest are first touched when fetched: the run stops there too, instead of failing every video.
        var manifest = Path.Combine(bed.Work, "list.txt");
        File.WriteAllLines(manifest, ["az://archive/cams/a.mp4", "az://archive/cams/b.mp4"]);
        var fetch = await PipelineProcess.RunAsync(PipelineProcess.Info(["prelabel", "--input", manifest, "--output", Path.Combine(bed.Work, "out"), "--model", "movenet-lightning", "--quiet"], environment));
        Assert.Equal(1, fetch.ExitCode);
        Assert.Contains("storage account 'devstoreaccount1': download 'archive/cams/", fetch.Error);
        Assert.Contains("HTTP 403", fetch.Error);

        var worker = await PipelineProcess.RunAsync(PipelineProcess.Info(["worker", "--queue", "videos", "--output", "az://labels/x", "--quiet"], environment));
        Assert.Equal(1, worker.ExitCode);
        Assert.Contains("storage account 'devstoreaccount1': create queue 'videos' failed: HTTP 403", worker.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");

        var none = await PipelineProcess.RunAsync(PipelineProcess.Info(["prelabel", "--input", "az://archive/cams/", "--output", "out-never-written", "--quiet"], new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = "" }));
        Assert.Equal(2, none.ExitCode); // a configuration the user must fix: retrying cannot help
        Assert.Contains("az://archive/cams/ is in blob storage, but no storage account is configured", none.Error);
    }
}
