using System.Text.Json;

namespace Reelgate.Cli;

/// <summary>
/// Where the CLI finds the server and its keys: a flag wins over the environment
/// (<c>REELGATE_BASE_URL</c>, <c>REELGATE_API_KEY</c>, <c>REELGATE_ADMIN_KEY</c>), which wins over
/// the config file (<c>--config</c>, else <c>REELGATE_CONFIG</c>, else
/// <c>~/.config/reelgate/config.json</c> with <c>baseUrl</c>, <c>apiKey</c>, <c>adminKey</c>).
/// </summary>
public sealed record CliSettings(Uri BaseUrl, string? ApiKey, string? AdminKey)
{
    public const string DefaultBaseUrl = "http://127.0.0.1:8080";

    public static CliSettings Resolve(string? baseUrlFlag, string? apiKeyFlag, string? adminKeyFlag, string? configFlag, Func<string, string?> env)
    {
        var path = configFlag ?? env("REELGATE_CONFIG") ?? DefaultConfigPath(env);
        string? fileBase = null, fileKey = null, fileAdmin = null;
        if (path is not null && File.Exists(path))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                fileBase = Str(doc.RootElement, "baseUrl");
                fileKey = Str(doc.RootElement, "apiKey");
                fileAdmin = Str(doc.RootElement, "adminKey");
            }
            catch (JsonException e)
            {
                throw new CliException(ExitCodes.Usage, $"config file {path} is not valid JSON: {e.Message}");
            }
        }
        else if (configFlag is not null)
        {
            throw new CliException(ExitCodes.Usage, $"config file {configFlag} does not exist");
        }

        var baseUrl = First(baseUrlFlag, env("REELGATE_BASE_URL"), fileBase) ?? DefaultBaseUrl;
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException(ExitCodes.Usage, $"base URL '{baseUrl}' is not an absolute http(s) URL (--base-url or REELGATE_BASE_URL)");
        }

        return new CliSettings(uri, First(apiKeyFlag, env("REELGATE_API_KEY"), fileKey), First(adminKeyFlag, env("REELGATE_ADMIN_KEY"), fileAdmin));
    }

    private static string? DefaultConfigPath(Func<string, string?> env)
    {
        var home = env("HOME");
        var xdg = env("XDG_CONFIG_HOME");
        var dir = !string.IsNullOrEmpty(xdg) ? xdg : !string.IsNullOrEmpty(home) ? Path.Combine(home, ".config") : null;
        return dir is null ? null : Path.Combine(dir, "reelgate", "config.json");
    }

    private static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v));

    private static string? Str(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>An error the CLI reports with a message and an exit code.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
