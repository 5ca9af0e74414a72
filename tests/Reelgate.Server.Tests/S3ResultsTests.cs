using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Amazon.S3.Model;
using Reelgate.Data.Files;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Testing;

namespace Reelgate.Server.Tests;

/// <summary>
/// <c>Reelgate:ResultStore=s3</c> over real HTTP against a real S3 server (Debian's Swift with
/// s3api on loopback): what a client downloads, in both serving modes, and an S3 outage.
/// </summary>
public sealed class S3ResultsTests(S3Server s3) : IClassFixture<S3Server>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Proxy_ServesTheVideoFromTheBucket_WithRangesConditionalGetsAndHead()
    {
        s3.Require();
        var bucket = s3.NewBucket();
        await using var server = await ReelgateTestServer.StartAsync(Settings(bucket, "proxy"));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        var (url, thumbnail) = await RenderAsync(client, "a lighthouse in the S3 fog");

        using var http = new HttpClient();
        using var whole = await http.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("video/mp4", whole.Content.Headers.ContentType!.MediaType);
        var bytes = await whole.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal("ftyp"u8.ToArray(), bytes[4..8]);
        Assert.Equal(bytes, await ObjectBytesAsync(bucket, "results/" + KeyOf(url)));
        Assert.False(Directory.Exists(Path.Combine(server.DataDirectory, "results", KeyOf(url).Split('/')[0])));

        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, url);
        rangeRequest.Headers.Range = new RangeHeaderValue(100, 1099);
        using var range = await http.SendAsync(rangeRequest, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal($"bytes 100-1099/{bytes.Length}", range.Content.Headers.ContentRange!.ToString());
        Assert.Equal(bytes[100..1100], await range.Content.ReadAsByteArrayAsync(Ct));

        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(whole.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(conditional, Ct)).StatusCode);

        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url), Ct);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(bytes.Length, head.Content.Headers.ContentLength);

        using var poster = await http.GetAsync(thumbnail, Ct);
        Assert.Equal("image/jpeg", poster.Content.Headers.ContentType!.MediaType);

        var forged = url.Replace("sig=", "sig=0", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(forged, Ct)).StatusCode);
    }

    [Fact]
    public async Task Redirect_Answers302ToAShortLivedPresignedUrl_ThatServesTheSameBytes()
    {
        s3.Require();
        var bucket = s3.NewBucket();
        await using var server = await ReelgateTestServer.StartAsync(Settings(bucket, "redirect"));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        var (url, _) = await RenderAsync(client, "a redirected river");

        using var noFollow = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var redirect = await noFollow.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.True(redirect.Headers.CacheControl!.NoStore);
        var location = redirect.Headers.Location!;
        Assert.StartsWith(s3.Swift.Endpoint, location.AbsoluteUri, StringComparison.Ordinal);
        var expires = System.Web.HttpUtility.ParseQueryString(location.Query)["X-Amz-Expires"];
        Assert.InRange(int.Parse(expires!, System.Globalization.CultureInfo.InvariantCulture), 295, 305);

        var direct = await noFollow.GetByteArrayAsync(location, Ct);
        Assert.Equal(await ObjectBytesAsync(bucket, "results/" + KeyOf(url)), direct);

        // The redirect is only given for a valid signature.
        using var forged = await noFollow.GetAsync(url.Replace("sig=", "sig=0", StringComparison.Ordinal), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
    }

    [Fact]
    public async Task S3Down_DownloadsAnswer503_AFinishingTaskIsRefunded_AndBothRecover()
    {
        s3.Require();
        var bucket = s3.NewBucket();
        await using var server = await ReelgateTestServer.StartAsync(Settings(bucket, "proxy"));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        var (url, _) = await RenderAsync(client, "before the outage");
        var credits = await client.CreditsAsync();
        using var http = new HttpClient();

        await s3.Swift.StopProxyAsync();
        try
        {
            using var down = await http.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            var envelope = JsonNode.Parse(await down.Content.ReadAsStringAsync(Ct))!;
            Assert.Equal(503, (int)envelope["code"]!);
            Assert.Contains("result store", (string)envelope["msg"]!, StringComparison.Ordinal);

            var (_, created, _) = await client.CreateTaskAsync(new { prompt = "during the outage", resolution = "480p", duration = 4 });
            var failed = await client.WaitForEndAsync((string)created["data"]!["taskId"]!);
            Assert.Equal("fail", (string)failed["state"]!);
            Assert.Equal("internal_error", (string)failed["failCode"]!);
            Assert.Equal(credits, await client.CreditsAsync());
        }
        finally
        {
            await s3.Swift.StartProxyAsync();
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url, Ct)).StatusCode);
        var (after, _) = await RenderAsync(client, "after the outage");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(after, Ct)).StatusCode);
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task MissingBucket_StopsTheStart_NamingTheSetting()
    {
        s3.Require();
        var settings = Settings(s3.NewBucket(), "proxy");
        settings["Reelgate:S3:CreateBucket"] = "false";
        var e = await Assert.ThrowsAsync<IOException>(async () => await ReelgateTestServer.StartAsync(settings));
        Assert.Contains("Reelgate:S3:CreateBucket", e.Message, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> Settings(string bucket, string serve) => new()
    {
        ["Reelgate:ResultStore"] = "s3",
        ["Reelgate:S3:ServiceUrl"] = s3.Swift.Endpoint,
        ["Reelgate:S3:Bucket"] = bucket,
        ["Reelgate:S3:Region"] = s3.Swift.Region,
        ["Reelgate:S3:AccessKey"] = s3.Swift.AccessKey,
        ["Reelgate:S3:SecretKey"] = s3.Swift.SecretKey,
        ["Reelgate:S3:Prefix"] = "results/",
        ["Reelgate:S3:Serve"] = serve,
        ["Reelgate:S3:CreateBucket"] = "true",
        ["Reelgate:S3:Timeout"] = "00:00:05",
    };

    private static async Task<(string Video, string Thumbnail)> RenderAsync(HttpClient client, string prompt)
    {
        var (_, created, _) = await client.CreateTaskAsync(new { prompt, resolution = "480p", duration = 4 });
        var data = await client.WaitForEndAsync((string)created["data"]!["taskId"]!);
        Assert.Equal("success", (string)data["state"]!);
        var video = (string)JsonNode.Parse((string)data["resultJson"]!)!["resultUrls"]![0]!;
        return (video, (string)data["thumbnailUrl"]!);
    }

    private static string KeyOf(string url) => new Uri(url).AbsolutePath["/files/".Length..];

    private async Task<byte[]> ObjectBytesAsync(string bucket, string key)
    {
        using var store = new S3ResultStore(s3.Settings(bucket));
        using var response = await store.Client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, Ct);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }
}
