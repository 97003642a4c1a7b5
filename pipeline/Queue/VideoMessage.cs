using System.Text.Json;
using Pipeline.Graph.Inputs;
using Pipeline.Graph.Remote;

namespace Pipeline.Graph.Queue;

/// <summary>
/// A work-queue message: one video as JSON, <c>{"id": "…", "uri": "…"}</c> — the same id and URI a
/// prelabel run over the same manifest would use, so queue and batch runs write the same files.
/// </summary>
public static class VideoMessage
{
    public static string Create(VideoTask video) => JsonSerializer.Serialize(new Dictionary<string, string> { ["id"] = video.VideoId, ["uri"] = video.Uri });

    /// <summary>The task a message names; a <see cref="FormatException"/> saying what is wrong otherwise.</summary>
    public static VideoTask Parse(string text, RemoteStorage? storage)
    {
        string id, uri;
        try
        {
            using var json = JsonDocument.Parse(text);
            id = json.RootElement.GetProperty("id").GetString() ?? throw new FormatException("id is null");
            uri = json.RootElement.GetProperty("uri").GetString() ?? throw new FormatException("uri is null");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"expected {{\"id\": …, \"uri\": …}}: {e.Message}", e);
        }

        if (!BlobUri.IsRemote(uri))
        {
            return new VideoTask(id, uri, uri);
        }

        if (storage is null)
        {
            throw new FormatException($"{uri} is in blob storage, but no storage account is configured");
        }

        try
        {
            return InputResolver.ForBlob(storage.Parse(uri), uri, id);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
    }
}
