using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// An emulator of BytePlus/Volcengine ModelArk's video generation task API (the upstream of
/// Seedance 2.0) on Kestrel in this process: tasks go queued, running, succeeded after the
/// configured delays, their videos are real MP4s from Reelgate's built-in renderer, and failures
/// are scripted by prompt markers or knobs (docs/ark-emulator.md). Tests talk to it over loopback
/// HTTP at <see cref="BaseAddress"/>; it never reaches the network except to deliver callbacks
/// to the URLs tasks name.
/// </summary>
public sealed class ArkEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ArkTaskStore _store;
    private readonly string? _ownedWorkDirectory;

    private ArkEmulator(WebApplication app, Uri baseAddress, ArkEmulatorOptions options, string? ownedWorkDirectory)
    {
        _app = app;
        _store = app.Services.GetRequiredService<ArkTaskStore>();
        _ownedWorkDirectory = ownedWorkDirectory;
        BaseAddress = baseAddress;
        Options = options;
        Stats = app.Services.GetRequiredService<ArkStats>();
    }

    /// <summary>The emulator's root, ending with '/': ModelArk's paths go under it (<c>api/v3/...</c>).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The live settings: change the knobs at any time (see <see cref="ArkEmulatorOptions"/>).</summary>
    public ArkEmulatorOptions Options { get; }

    public ArkStats Stats { get; }

    /// <summary>Every task the emulator holds, oldest first, as it stands now.</summary>
    public IReadOnlyList<ArkTaskSnapshot> Tasks
    {
        get
        {
            _store.AdvanceAll();
            return _store.Snapshots();
        }
    }

    public static Task<ArkEmulator> StartAsync(ArkEmulatorOptions options, CancellationToken ct = default) =>
        StartAsync(options, TimeProvider.System, ct);

    /// <summary>Starts the emulator with the given clock driving task delays, timestamps and video expiry.</summary>
    public static async Task<ArkEmulator> StartAsync(ArkEmulatorOptions options, TimeProvider time, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("ArkEmulatorOptions: " + string.Join("; ", problems), nameof(options));
        }

        var owned = options.WorkDirectory is null ? Path.Combine(Path.GetTempPath(), "reelgate-ark-" + Guid.NewGuid().ToString("N")) : null;
        var work = options.WorkDirectory ?? owned!;
        var renders = options.RenderCacheDirectory ?? Path.Combine(work, "renders");
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(renders);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Url);
        if (options.LogToConsole)
        {
            // One line per request is noise in a demo; the emulator's own warnings stay.
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }
        else
        {
            builder.Logging.ClearProviders();
        }

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(time);
        services.AddSingleton<ArkStats>();
        services.AddSingleton<VideoShelf>();
        services.AddSingleton(sp => new RenderCache(options, renders, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<CallbackDispatcher>();
        services.AddSingleton<TaskMachine>();
        services.AddSingleton<ArkTaskStore>();
        services.AddHostedService<TaskAdvancer>();

        var app = builder.Build();
        app.MapTaskEndpoints();
        app.MapVideoEndpoints();
        app.MapControlEndpoints(ControlEndpoints.Knobs(options));
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            DeleteDirectory(owned);
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseAddress = new Uri(LoopbackFor(bound).TrimEnd('/') + "/");
        var publicBase = options.PublicBaseUrl is { } p ? p.TrimEnd('/') + "/" : baseAddress.AbsoluteUri;
        app.Services.GetRequiredService<VideoShelf>().BaseUrl = publicBase;
        return new ArkEmulator(app, baseAddress, options, owned);
    }

    /// <summary>A client for the emulator with <c>Authorization: Bearer</c> set (the first configured key unless told otherwise).</summary>
    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey ?? Options.ApiKeys[0]);
        return client;
    }

    /// <summary>Waits until the host is told to stop (Ctrl+C or SIGTERM), for the standalone program.</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        // Stopping the host stops the loop; disposing it stops renders (killing ffmpeg) and callbacks.
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        DeleteDirectory(_ownedWorkDirectory);
    }

    /// <summary>A wildcard bind (0.0.0.0, [::], +, *) is reached on loopback.</summary>
    private static string LoopbackFor(string address)
    {
        var uri = new UriBuilder(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = "127.0.0.1";
        }

        return uri.Uri.AbsoluteUri;
    }

    private static void DeleteDirectory(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
        catch (IOException)
        {
            // Best effort: a file still open by a finishing process.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
