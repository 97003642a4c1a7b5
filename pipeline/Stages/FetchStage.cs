using Pipeline.Graph.Remote;
using Pipeline.Storage;

namespace Pipeline.Graph.Stages;

/// <summary>
/// Downloads blob inputs into a staging folder so FFmpeg can seek in them; local files pass through.
/// A blob that cannot be fetched becomes a failed video with the reason, not an exception — except
/// refused credentials (401/403), which would fail every video the same way and so stop the run.
/// </summary>
public sealed class FetchStage(RemoteStorage? storage, string stagingDirectory)
{
    public async Task<VideoTask> ProcessAsync(VideoTask video, CancellationToken cancellationToken = default)
    {
        if (!video.NeedsFetch)
        {
            return video;
        }

        if (storage is null)
        {
            return video with { Error = $"{video.Uri}: no storage account is configured for remote inputs" };
        }

        Directory.CreateDirectory(stagingDirectory);
        var blob = storage.Parse(video.Uri);
        var local = System.IO.Path.Combine(stagingDirectory, video.VideoId + System.IO.Path.GetExtension(blob.Path));
        try
        {
            await storage.Blobs.DownloadToFileAsync(blob.Container, blob.Path, local, cancellationToken);
            return video with { LocalPath = local, IsStagedCopy = true };
        }
        catch (StorageException e) when (e.Status is not (System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden))
        {
            return video with { Error = e.Status == System.Net.HttpStatusCode.NotFound ? $"{video.Uri}: blob not found" : e.Message };
        }
        catch (IOException e)
        {
            return video with { Error = $"{video.Uri}: cannot stage a local copy in {stagingDirectory}: {e.Message}" };
        }
    }
}
