using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Storage;

/// <summary>
/// Shared access signatures (service version 2020-12-06 and later), signed with the account key: an
/// operator keeps the key and hands workers a token limited in scope, permissions and time.
/// </summary>
public static class AccountSas
{
    private const string Version = "2021-08-06";

    /// <param name="permissions">Letters from "rwdlacup" (read, write, delete, list, add, create, update, process).</param>
    /// <param name="services">"b" blob, "q" queue (default both).</param>
    public static string Create(StorageCredentials credentials, string permissions, DateTimeOffset expiry, string services = "bq")
    {
        var key = credentials.Key ?? throw new ArgumentException($"storage account '{credentials.Account}': signing a SAS needs the account key");
        var expires = expiry.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        const string resourceTypes = "sco";
        var protocol = credentials.BlobEndpoint.Scheme == Uri.UriSchemeHttps ? "https" : "https,http";
        var toSign = string.Join("\n", credentials.Account, permissions, services, resourceTypes, "", expires, "", protocol, Version, "") + "\n";
        using var hmac = new HMACSHA256(key);
        var signature = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(toSign)));
        return $"sv={Version}&ss={services}&srt={resourceTypes}&sp={permissions}&se={Uri.EscapeDataString(expires)}&spr={Uri.EscapeDataString(protocol)}&sig={Uri.EscapeDataString(signature)}";
    }

    /// <summary>
    /// A service SAS for one blob container (sr=c): the narrowest token a worker needs for its
    /// output — it cannot list, create or touch other containers.
    /// </summary>
    /// <param name="permissions">Letters from "racwdl" (read, add, create, write, delete, list).</param>
    public static string CreateForContainer(StorageCredentials credentials, string container, string permissions, DateTimeOffset expiry)
    {
        var key = credentials.Key ?? throw new ArgumentException($"storage account '{credentials.Account}': signing a SAS needs the account key");
        var expires = expiry.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var protocol = credentials.BlobEndpoint.Scheme == Uri.UriSchemeHttps ? "https" : "https,http";
        // permissions, start, expiry, resource, identifier, IP, protocol, version, resource type,
        // snapshot time, encryption scope, then the five response-header overrides.
        var toSign = string.Join("\n", permissions, "", expires, $"/blob/{credentials.Account}/{container}", "", "", protocol, Version, "c", "", "", "", "", "", "", "");
        using var hmac = new HMACSHA256(key);
        var signature = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(toSign)));
        return $"sv={Version}&sr=c&sp={permissions}&se={Uri.EscapeDataString(expires)}&spr={Uri.EscapeDataString(protocol)}&sig={Uri.EscapeDataString(signature)}";
    }
}
