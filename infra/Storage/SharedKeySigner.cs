using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Storage;

/// <summary>
/// Signs requests with the Azure Storage SharedKey scheme (service version 2015-02-21 and later):
/// HMAC-SHA256 with the account key over the verb, the standard headers, the x-ms-* headers and the
/// canonicalized resource.
/// </summary>
internal static class SharedKeySigner
{
    public static string StringToSign(HttpRequestMessage request, string account)
    {
        var content = request.Content?.Headers;
        string Header(string name) => request.Headers.TryGetValues(name, out var v) ? string.Join(",", v) : "";
        var length = content?.ContentLength is > 0 ? content.ContentLength.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        var builder = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(content?.ContentEncoding is { Count: > 0 } enc ? string.Join(",", enc) : "").Append('\n')
            .Append(content?.ContentLanguage is { Count: > 0 } lang ? string.Join(",", lang) : "").Append('\n')
            .Append(length).Append('\n')
            .Append(content?.ContentMD5 is { } md5 ? Convert.ToBase64String(md5) : "").Append('\n')
            .Append(content?.ContentType?.ToString() ?? "").Append('\n')
            .Append('\n') // Date: x-ms-date is used instead
            .Append(Header("If-Modified-Since")).Append('\n')
            .Append(Header("If-Match")).Append('\n')
            .Append(Header("If-None-Match")).Append('\n')
            .Append(Header("If-Unmodified-Since")).Append('\n')
            .Append(Header("Range")).Append('\n');
        foreach (var (name, values) in request.Headers
            .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Key.ToLowerInvariant(), Values: h.Value))
            .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            builder.Append(name).Append(':').Append(string.Join(",", values.Select(v => v.Trim()))).Append('\n');
        }

        var uri = request.RequestUri!;
        builder.Append('/').Append(account).Append(uri.AbsolutePath);
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        foreach (var key in query.AllKeys.Where(k => k is not null).Select(k => k!).OrderBy(k => k.ToLowerInvariant(), StringComparer.Ordinal))
        {
            builder.Append('\n').Append(key.ToLowerInvariant()).Append(':').Append(query[key]);
        }

        return builder.ToString();
    }

    public static void Sign(HttpRequestMessage request, string account, byte[] key)
    {
        using var hmac = new HMACSHA256(key);
        var signature = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(StringToSign(request, account))));
        request.Headers.Authorization = new AuthenticationHeaderValue("SharedKey", $"{account}:{signature}");
    }
}
