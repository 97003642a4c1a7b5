using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Storage;

/// <summary>
/// Account shared access signatures (service version 2020-12-06 and later), signed with the account
/// key: an operator keeps the key and hands workers a token limited in services, permissions and time.
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
}
