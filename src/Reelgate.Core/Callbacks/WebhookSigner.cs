using System.Security.Cryptography;
using System.Text;

namespace Reelgate.Core.Callbacks;

/// <summary>
/// Standard Webhooks signatures: <c>webhook-signature: v1,&lt;base64 HMAC-SHA256&gt;</c> over
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>, keyed with the base64 part of a
/// <c>whsec_...</c> secret. Checked against the specification's published test vector.
/// </summary>
public static class WebhookSigner
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public static string Sign(string secret, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var prefix = Encoding.UTF8.GetBytes($"{messageId}.{timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
