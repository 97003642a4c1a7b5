using System.Text;
using System.Text.Json;
using Azure.Core;

namespace Pipeline.Testing;

/// <summary>
/// Entra ID-shaped access tokens for Azurite's OAuth mode (<c>--oauth basic</c>), which checks a
/// bearer token's form, lifetime, issuer and audience but not its signature. The product's token
/// path (the SDK's bearer-token policy over HTTPS) runs unchanged; only the token's source differs.
/// </summary>
public sealed class EmulatorToken(string audience = "https://storage.azure.com") : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var expires = now.AddHours(1);
        static string Part(object value) => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var claims = new Dictionary<string, object>
        {
            ["aud"] = audience,
            ["iss"] = "https://sts.windows.net/00000000-0000-0000-0000-000000000001/",
            ["iat"] = now.ToUnixTimeSeconds() - 60,
            ["nbf"] = now.ToUnixTimeSeconds() - 60,
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["oid"] = "00000000-0000-0000-0000-0000000000aa",
        };
        var token = $"{Part(new { alg = "HS256", typ = "JWT" })}.{Part(claims)}.{Convert.ToBase64String(Encoding.ASCII.GetBytes("unsigned")).TrimEnd('=')}";
        return new AccessToken(token, expires);
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
