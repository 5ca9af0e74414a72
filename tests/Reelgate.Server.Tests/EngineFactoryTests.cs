using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Reelgate.Engines.BuiltIn;
using Reelgate.Engines.Upstream;
using Reelgate.Server.Options;
using Reelgate.Server.Security;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Tests;

/// <summary>The one place engines are built, and the one place their work files are named.</summary>
public sealed class EngineFactoryTests
{
    [Fact]
    public async Task Upstream_TakesItsApiClientFromTheFactory_WithBaseUrlKeyAndTimeout()
    {
        var http = new RecordingClients();
        var factory = Factory(http, out var dir);
        try
        {
            var engine = (ModelArkEngine)factory.Upstream("ark", new EngineOptions
            {
                Type = "modelark", BaseUrl = "http://ark.invalid/base", ApiKey = "k-123", Model = "m", RequestTimeout = TimeSpan.FromSeconds(7),
            });

            await engine.CancelUpstreamAsync("cgt-1", TestContext.Current.CancellationToken);

            Assert.Equal([UpstreamEngine.ApiClientName], http.Names);
            var client = Assert.Single(http.Clients);
            Assert.Equal(TimeSpan.FromSeconds(7), client.Timeout);
            var request = Assert.Single(http.Requests);
            Assert.Equal(HttpMethod.Delete, request.Method);
            Assert.Equal("http://ark.invalid/base/api/v3/contents/generations/tasks/cgt-1", request.RequestUri!.AbsoluteUri);
            Assert.Equal("Bearer k-123", request.Headers.Authorization!.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Upstream_BuildsARelay_WhenTheTypeIsRelay_AndTheRendererUsesTheConfiguredFfmpeg()
    {
        var factory = Factory(new RecordingClients(), out var dir, o => o.FfmpegPath = "/opt/ffmpeg/bin/ffmpeg");
        try
        {
            Assert.IsType<RelayEngine>(factory.Upstream("peer", new EngineOptions { Type = "relay", BaseUrl = "http://peer.invalid", ApiKey = "k", Model = "m" }));
            Assert.Contains("/opt/ffmpeg/bin/ffmpeg", factory.BuiltIn().CheckHealth().Detail, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void WorkDirectory_NamesAClaimsFiles_UnderTheDataDirectory()
    {
        var dir = Directory.CreateTempSubdirectory("reelgate-work-").FullName;
        try
        {
            var work = new WorkDirectory(dir);

            var (video, poster) = work.ClaimFiles("task_abc", 2);

            Assert.Equal(Path.Combine(dir, "work"), work.Path);
            Assert.Equal(Path.Combine(dir, "work", "task_abc-2.mp4"), video);
            Assert.Equal(Path.Combine(dir, "work", "task_abc-2.jpg"), poster);
            Assert.True(Directory.Exists(work.Path));
            File.WriteAllText(video, "partial");
            work.DeleteLeftovers();
            Assert.Empty(Directory.EnumerateFileSystemEntries(work.Path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static EngineFactory Factory(IHttpClientFactory http, out string dir, Action<ReelgateOptions>? configure = null)
    {
        dir = Directory.CreateTempSubdirectory("reelgate-factory-").FullName;
        var options = new ReelgateOptions { DataDirectory = dir };
        configure?.Invoke(options);
        return new EngineFactory(
            Microsoft.Extensions.Options.Options.Create(options), http, TimeProvider.System, NullLoggerFactory.Instance,
            new UpstreamWakeups(), new DataDirectorySecrets(dir, "admin-key-for-the-factory-test-0123456789"));
    }

    /// <summary>An <see cref="IHttpClientFactory"/> that records which clients are asked for and answers every request 200.</summary>
    private sealed class RecordingClients : IHttpClientFactory
    {
        public List<string> Names { get; } = [];

        public List<HttpClient> Clients { get; } = [];

        public List<HttpRequestMessage> Requests { get; } = [];

        public HttpClient CreateClient(string name)
        {
            Names.Add(name);
            var client = new HttpClient(new Answer(Requests), disposeHandler: true);
            Clients.Add(client);
            return client;
        }

        private sealed class Answer(List<HttpRequestMessage> requests) : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                requests.Add(request);
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
            }
        }
    }
}
