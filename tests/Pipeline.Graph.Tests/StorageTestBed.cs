using Pipeline.Storage;
using Pipeline.Testing;

namespace Pipeline.Graph.Tests;

/// <summary>What the blob-storage tests share: clips cut at test time, an Azurite of their own, a scratch folder.</summary>
internal sealed class StorageTestBed : IDisposable
{
    public Clips Clips { get; } = new();

    public Azurite Azurite { get; } = new();

    public string Work { get; } = Directory.CreateTempSubdirectory("storage-test-").FullName;

    /// <summary>Account-key credentials for this Azurite.</summary>
    public StorageCredentials Credentials => StorageCredentials.FromConnectionString(Azurite.ConnectionString());

    /// <summary>The environment a pipeline process needs to reach this Azurite.</summary>
    public Dictionary<string, string> Environment() => new() { ["AZURE_STORAGE_CONNECTION_STRING"] = Azurite.ConnectionString() };

    /// <summary>Uploads <paramref name="files"/> under <paramref name="prefix"/> (creating the container); returns the blob names.</summary>
    public static async Task<List<string>> UploadAsync(IBlobStore blobs, string container, string prefix, IEnumerable<string> files)
    {
        await blobs.CreateContainerIfNotExistsAsync(container);
        var names = new List<string>();
        foreach (var file in files)
        {
            await blobs.UploadFileAsync(container, prefix + Path.GetFileName(file), file);
            names.Add(prefix + Path.GetFileName(file));
        }

        return names;
    }

    /// <summary>Downloads the blobs under <paramref name="prefix"/> (those ending in <paramref name="suffix"/>) into a new folder of the scratch folder.</summary>
    public async Task<string> DownloadAsync(IBlobStore blobs, string container, string prefix, string folderName, string suffix = "")
    {
        var folder = Directory.CreateDirectory(Path.Combine(Work, folderName)).FullName;
        await foreach (var blob in blobs.ListAsync(container, prefix))
        {
            if (blob.Name.EndsWith(suffix, StringComparison.Ordinal))
            {
                await blobs.DownloadToFileAsync(container, blob.Name, Path.Combine(folder, Path.GetFileName(blob.Name)));
            }
        }

        return folder;
    }

    public void Dispose()
    {
        Azurite.Dispose();
        Clips.Dispose();
        Directory.Delete(Work, recursive: true);
    }
}
