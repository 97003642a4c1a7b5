using Azure.Identity;
using Pipeline.Testing;

namespace Pipeline.Storage.Tests;

/// <summary>Entra ID tokens: against Azurite's OAuth mode (HTTPS, bearer tokens checked for form, lifetime, issuer and audience), and the credential chosen from the environment.</summary>
public sealed class TokenAuthenticationTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task BlobsAndQueuesWorkWithATokenCredentialOverHttps()
    {
        using var azurite = new Azurite(oauth: true);
        var credentials = StorageCredentials.WithToken(azurite.BlobEndpoint, new EmulatorToken(), "emulator token", azurite.QueueEndpoint);
        Assert.Equal(Azurite.Account, credentials.Account);
        var blobs = new AzureBlobStore(credentials, o => o.Transport = azurite.TrustingTransport());
        await blobs.CreateContainerIfNotExistsAsync("tokens");
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "labels");
        Assert.True(await blobs.UploadFileAsync("tokens", "run/v.parquet", file, onlyIfAbsent: true));
        Assert.False(await blobs.UploadFileAsync("tokens", "run/v.parquet", file, onlyIfAbsent: true));
        File.Delete(file);
        var names = new List<string>();
        await foreach (var b in blobs.ListAsync("tokens", "run/"))
        {
            names.Add(b.Name);
        }

        Assert.Equal(["run/v.parquet"], names);

        var queue = new AzureMessageQueue(credentials, "token-queue", o => o.Transport = azurite.TrustingTransport());
        await queue.CreateIfNotExistsAsync();
        await queue.SendAsync("by token");
        Assert.Equal("by token", (await queue.ReceiveAsync(TimeSpan.FromSeconds(30)))!.Text);

        // A token for another audience is refused, naming the account and the operation.
        var wrong = StorageCredentials.WithToken(azurite.BlobEndpoint, new EmulatorToken("https://vault.azure.net"), "wrong audience", azurite.QueueEndpoint);
        var error = await Assert.ThrowsAsync<StorageException>(() => new AzureBlobStore(wrong, o => o.Transport = azurite.TrustingTransport()).CreateContainerIfNotExistsAsync("refused"));
        Assert.True(error.Message.StartsWith("storage account 'devstoreaccount1': create container 'refused' failed: HTTP 403 AuthenticationFailed", StringComparison.Ordinal), error.Message);
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void WithoutKeySasOrConnectionStringTheTokenChainIsChosen()
    {
        var chain = StorageCredentials.FromVariables(Environment(("AZURE_STORAGE_ACCOUNT", "archive")))!;
        Assert.IsType<DefaultAzureCredential>(chain.Token);
        Assert.Equal(("archive", new Uri("https://archive.blob.core.windows.net/"), "DefaultAzureCredential"), (chain.Account, chain.BlobEndpoint, chain.Kind));

        var named = StorageCredentials.FromVariables(Environment(("AZURE_STORAGE_MANAGED_IDENTITY_CLIENT_ID", "1111-2222")), accountUrl: "https://labels.blob.core.windows.net")!;
        Assert.IsType<ManagedIdentityCredential>(named.Token);
        Assert.Equal(("labels", "managed identity 1111-2222"), (named.Account, named.Kind));
        Assert.Equal(new Uri("https://labels.queue.core.windows.net/"), named.QueueEndpoint);
        Assert.Equal("managed identity 3333", StorageCredentials.FromVariables(Environment(("AZURE_STORAGE_ACCOUNT", "a")), managedIdentityClientId: "3333")!.Kind);

        // A key, a SAS or a connection string wins; nothing at all means no storage.
        Assert.Null(StorageCredentials.FromVariables(Environment(("AZURE_STORAGE_ACCOUNT", "a"), ("AZURE_STORAGE_SAS_TOKEN", "sv=x&sig=y")))!.Token);
        Assert.Equal("shared key", StorageCredentials.FromVariables(Environment(("AZURE_STORAGE_ACCOUNT", "a"), ("AZURE_STORAGE_KEY", Azurite.Key)))!.Kind);
        Assert.Null(StorageCredentials.FromVariables(Environment()));
    }
}
