using System.Security.Cryptography;
using System.Text;

namespace Reelgate.Emulators.ModelArk;

/// <summary>ModelArk's API-key authentication: <c>Authorization: Bearer KEY</c>, compared in constant time.</summary>
internal static class ApiKeyCheck
{
    public static bool IsAuthorized(HttpRequest request, ArkEmulatorOptions options)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        var match = false;
        foreach (var key in options.ApiKeys)
        {
            match |= CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(key));
        }

        return match;
    }
}
