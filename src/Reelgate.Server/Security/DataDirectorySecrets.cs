using System.Security.Cryptography;
using System.Text;

namespace Reelgate.Server.Security;

/// <summary>
/// Secrets kept in the data directory as files of mode 0600: the generated admin key
/// (<c>admin.key</c>, only when none is configured) and the result-URL signing secret
/// (<c>url-signing.key</c>, only when <c>Reelgate:UrlSigningKey</c> is not configured). Created
/// once, read on every start.
/// </summary>
public sealed class DataDirectorySecrets
{
    public DataDirectorySecrets(string dataDirectory, string? configuredAdminKey, string? configuredUrlSigningKey = null)
    {
        Directory.CreateDirectory(dataDirectory);
        AdminKeyPath = Path.Combine(dataDirectory, "admin.key");
        if (!string.IsNullOrWhiteSpace(configuredAdminKey))
        {
            AdminKey = configuredAdminKey.Trim();
            AdminKeyGenerated = false;
        }
        else
        {
            (AdminKey, AdminKeyGenerated) = ReadOrCreate(AdminKeyPath, () => "rg_admin_" + ApiKeyFormat.RandomBase62(40));
        }

        var signing = !string.IsNullOrWhiteSpace(configuredUrlSigningKey)
            ? configuredUrlSigningKey.Trim()
            : ReadOrCreate(Path.Combine(dataDirectory, "url-signing.key"), () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).Value;
        UrlSigningKey = Encoding.UTF8.GetBytes(signing);
    }

    public string AdminKey { get; }

    /// <summary>True when the admin key came from (or was just written to) <see cref="AdminKeyPath"/>.</summary>
    public bool AdminKeyGenerated { get; }

    public string AdminKeyPath { get; }

    public byte[] UrlSigningKey { get; }

    private static (string Value, bool FromFile) ReadOrCreate(string path, Func<string> create)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length > 0)
            {
                return (existing, true);
            }
        }

        var value = create();
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.WriteLine(value);
        }

        File.Move(temp, path, overwrite: true);
        return (value, true);
    }
}
