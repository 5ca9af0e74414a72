using System.Security.Cryptography;
using System.Text;

namespace Reelgate.Server.Security;

/// <summary>Checks the admin bearer key in constant time (hashes first, so lengths leak nothing).</summary>
public sealed class AdminKeyGuard(DataDirectorySecrets secrets)
{
    private readonly byte[] _hash = SHA256.HashData(Encoding.UTF8.GetBytes(secrets.AdminKey));

    public bool IsAdmin(string? authorization)
    {
        var token = ApiKeyAuthenticator.BearerToken(authorization);
        return token is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), _hash);
    }
}
