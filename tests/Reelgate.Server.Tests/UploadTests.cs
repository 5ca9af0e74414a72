using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelgate.Core.Uploads;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>
/// The upload routes over real HTTP: <c>POST /api/v1/files</c> (multipart, base64, data URL,
/// fileUrl) and kie.ai's three, with a PNG ffmpeg makes; refused files leave nothing on disk; the
/// quota; authentication; retention deleting an expired upload.
/// </summary>
public sealed class UploadTests
{
    private static readonly Lazy<Task<byte[]>> Png = new(() => MakePngAsync(640, 480));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostFiles_StoresPng_AndItsUrlServesTheSameBytes_WhenMultipart()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (account, _, apiKey) = await server.CreateAccountAsync(0);
        using var client = server.NewClient(apiKey);
        var png = await Png.Value;

        var (status, body) = await PostMultipartAsync(client, "/api/v1/files", png, "holiday/../cat.png");

        Assert.Equal(HttpStatusCode.OK, status);
        var data = body["data"]!;
        var fileId = (string)data["fileId"]!;
        Assert.True(FileIds.IsValid(fileId), fileId);
        Assert.Equal(("image/png", (long)png.Length, 640, 480, 0.0), ((string)data["mimeType"]!, (long)data["fileSize"]!, (int)data["width"]!, (int)data["height"]!, (double)data["duration"]!));
        var expires = DateTimeOffset.Parse((string)data["expiresAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromDays(3) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(3));
        Assert.EndsWith("Z", (string)data["expiresAt"]!, StringComparison.Ordinal);
        Assert.Equal(png, await DownloadAsync(server, (string)data["fileUrl"]!));

        var stored = await server.Get<IUploadStore>().FindAsync(fileId, Ct);
        Assert.Equal((account, fileId + "/source.png", "cat.png"), (stored!.AccountId, stored.Key, stored.FileName));
        Assert.True(File.Exists(Path.Combine(server.DataDirectory, "results", fileId, "source.png")));
        AssertNoSpooledFiles(server);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PostFiles_StoresPng_WhenBase64OrDataUrl(bool dataUrl)
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (_, _, apiKey) = await server.CreateAccountAsync(0);
        using var client = server.NewClient(apiKey);
        var png = await Png.Value;
        var base64 = (dataUrl ? "data:image/jpeg;base64," : "") + Convert.ToBase64String(png); // the declared type is ignored

        var (status, body, _) = await client.PostRawAsync("/api/v1/files", JsonSerializer.Serialize(new { base64Data = base64, fileName = "x.bin" }));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("image/png", (string)body["data"]!["mimeType"]!);
        Assert.Equal(png, await DownloadAsync(server, (string)body["data"]!["fileUrl"]!));
    }

    [Fact]
    public async Task KieRoutes_StorePng_AnswerInKieEnvelope_ForStreamBase64AndUrl()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Reelgate:Inputs:AllowedHosts:0"] = "127.0.0.1", // the URL form fetches this server's own signed URL
        });
        var (_, _, apiKey) = await server.CreateAccountAsync(0);
        using var client = server.NewClient(apiKey);
        var png = await Png.Value;

        var (status, stream) = await PostMultipartAsync(client, "/api/file-stream-upload", png, "cat.png", ("uploadPath", "images/../user"), ("fileName", "kitten.png"));
        Assert.True(status == HttpStatusCode.OK, stream.ToJsonString());
        Assert.Equal((true, 200, "File uploaded successfully"), ((bool)stream["success"]!, (int)stream["code"]!, (string)stream["msg"]!));
        var data = stream["data"]!;
        Assert.Equal(("kitten.png", "images/user/kitten.png", (long)png.Length, "image/png"), ((string)data["fileName"]!, (string)data["filePath"]!, (long)data["fileSize"]!, (string)data["mimeType"]!));
        Assert.True(DateTimeOffset.TryParse((string)data["uploadedAt"]!, System.Globalization.CultureInfo.InvariantCulture, out _));
        var downloadUrl = (string)data["downloadUrl"]!;
        Assert.Equal(png, await DownloadAsync(server, downloadUrl));

        var (b64Status, b64, _) = await client.PostRawAsync("/api/file-base64-upload", JsonSerializer.Serialize(new { base64Data = "data:image/png;base64," + Convert.ToBase64String(png), uploadPath = "a", fileName = "b.png" }));
        Assert.Equal(HttpStatusCode.OK, b64Status);
        Assert.Equal("a/b.png", (string)b64["data"]!["filePath"]!);
        Assert.Equal(png, await DownloadAsync(server, (string)b64["data"]!["downloadUrl"]!));

        var (urlStatus, url, _) = await client.PostRawAsync("/api/file-url-upload", JsonSerializer.Serialize(new { fileUrl = downloadUrl, uploadPath = "remote", fileName = "copy.png" }));
        Assert.Equal(HttpStatusCode.OK, urlStatus);
        Assert.Equal("remote/copy.png", (string)url["data"]!["filePath"]!);
        Assert.Equal(png, await DownloadAsync(server, (string)url["data"]!["downloadUrl"]!));
    }

    [Fact]
    public async Task PostFiles_FetchesFileUrl_AndRefusesLoopback_WhenNotAllowed()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (_, _, apiKey) = await server.CreateAccountAsync(0);
        using var client = server.NewClient(apiKey);
        var (_, uploaded) = await PostMultipartAsync(client, "/api/v1/files", await Png.Value, "cat.png");

        var (status, body, _) = await client.PostRawAsync("/api/v1/files", JsonSerializer.Serialize(new { fileUrl = (string)uploaded["data"]!["fileUrl"]! }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.StartsWith("validation error: fileUrl could not be fetched (refused: ", (string)body["msg"]!, StringComparison.Ordinal);
        Assert.Contains("loopback", (string)body["msg"]!, StringComparison.Ordinal);
        AssertNoSpooledFiles(server);
    }

    [Fact]
    public async Task PostFiles_Refuses422_AndLeavesNothingOnDisk_WhenTextIsNamedPng()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (_, _, apiKey) = await server.CreateAccountAsync(0);
        using var client = server.NewClient(apiKey);

        var (status, body) = await PostMultipartAsync(client, "/api/v1/files", "just some text, not a picture\n"u8.ToArray(), "x.png");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("file is not a JPEG, PNG or WebP image, an MP4 or MOV video, or an MP3, WAV or M4A audio", (string)body["msg"]!);
        AssertNoSpooledFiles(server);
        AssertNoUploadedBytes(server);

        var (kieStatus, kie) = await PostMultipartAsync(client, "/api/file-stream-upload", "text"u8.ToArray(), "x.png");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, kieStatus);
        Assert.Equal((false, 422), ((bool)kie["success"]!, (int)kie["code"]!));
    }

    [Fact]
    public async Task PostFiles_Refuses422_AndKeepsNothing_WhenLargerThan50MiB()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (_, _, apiKey) = await server.CreateAccountAsync(0);
        using var client = server.NewClient(apiKey);
        var png = await Png.Value;
        var big = new byte[(50 << 20) + 4096];
        png.CopyTo(big, 0); // a PNG start, then zeros: refused for its size before anything looks at it

        var (status, body) = await PostMultipartAsync(client, "/api/v1/files", big, "big.png");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("file is larger than 50 MiB", (string)body["msg"]!);
        AssertNoSpooledFiles(server);
        AssertNoUploadedBytes(server);
    }

    [Fact]
    public async Task PostFiles_Refuses422_WhenPngDeclares100000Square()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (_, _, apiKey) = await server.CreateAccountAsync(0);
        using var client = server.NewClient(apiKey);
        var bytes = new byte[33];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), 13);
        "IHDR"u8.CopyTo(bytes.AsSpan(12));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), 100000);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), 100000);

        var (status, body, _) = await client.PostRawAsync("/api/v1/files", JsonSerializer.Serialize(new { base64Data = Convert.ToBase64String(bytes) }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("file is 100000x100000 px; images must be 300 to 6000 px a side", (string)body["msg"]!);
        AssertNoSpooledFiles(server);
        AssertNoUploadedBytes(server);
    }

    [Fact]
    public async Task PostFiles_Refuses422_AndKeepsNoBytes_WhenQuotaIsExceeded()
    {
        var png = await Png.Value;
        var quota = png.Length * 3 / 2;
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Reelgate:UploadQuotaBytes"] = quota.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var (_, _, apiKey) = await server.CreateAccountAsync(0);
        var (_, _, otherKey) = await server.CreateAccountAsync(0);
        using var client = server.NewClient(apiKey);
        using var other = server.NewClient(otherKey);

        Assert.Equal(HttpStatusCode.OK, (await PostMultipartAsync(client, "/api/v1/files", png, "a.png")).Status);
        var (status, body) = await PostMultipartAsync(client, "/api/v1/files", png, "b.png");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal($"upload quota of {quota} bytes exceeded", (string)body["msg"]!);
        Assert.Single(Directory.GetDirectories(Path.Combine(server.DataDirectory, "results"), "file_*"));
        AssertNoSpooledFiles(server);
        Assert.Equal(HttpStatusCode.OK, (await PostMultipartAsync(other, "/api/v1/files", png, "c.png")).Status); // the quota is per account
    }

    [Fact]
    public async Task UploadRoutes_Answer401_WithoutKey()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        using var client = server.NewClient();
        var png = await Png.Value;

        var (status, body) = await PostMultipartAsync(client, "/api/v1/files", png, "cat.png");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal((401, "authentication failed"), ((int)body["code"]!, (string)body["msg"]!));

        var (kieStatus, kie, _) = await client.PostRawAsync("/api/file-base64-upload", JsonSerializer.Serialize(new { base64Data = Convert.ToBase64String(png) }));
        Assert.Equal(HttpStatusCode.Unauthorized, kieStatus);
        Assert.Equal((false, 401, "authentication failed"), ((bool)kie["success"]!, (int)kie["code"]!, (string)kie["msg"]!));
        AssertNoUploadedBytes(server);
    }

    [Fact]
    public async Task Retention_DeletesAnExpiredUpload_BytesAndRecord()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Reelgate:UploadRetention"] = "00:00:02",
            ["Reelgate:RetentionSweepInterval"] = "00:00:00.200",
            ["Reelgate:SweepInterval"] = "00:00:00.200",
        });
        var (_, _, apiKey) = await server.CreateAccountAsync(0);
        using var client = server.NewClient(apiKey);
        var (status, body) = await PostMultipartAsync(client, "/api/v1/files", await Png.Value, "cat.png");
        Assert.Equal(HttpStatusCode.OK, status);
        var fileId = (string)body["data"]!["fileId"]!;
        var dir = Path.Combine(server.DataDirectory, "results", fileId);
        Assert.True(Directory.Exists(dir));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await server.Get<IUploadStore>().FindAsync(fileId, Ct) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the upload never expired");
            await Task.Delay(200, Ct);
        }

        Assert.False(File.Exists(Path.Combine(dir, "source.png")));
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body)> PostMultipartAsync(HttpClient client, string path, byte[] bytes, string fileName, params (string Name, string Value)[] fields)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png"); // what a client claims; ignored
        form.Add(file, "file", fileName);
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        using var response = await client.PostAsync(path, form, Ct);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject());
    }

    /// <summary>Downloads a signed URL without a key (it carries its signature), through the contract check.</summary>
    private static async Task<byte[]> DownloadAsync(ReelgateTestServer server, string url)
    {
        using var http = server.NewClient();
        using var response = await http.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync(Ct);
    }

    private static void AssertNoSpooledFiles(ReelgateTestServer server)
    {
        var work = Path.Combine(server.DataDirectory, "work");
        Assert.Empty(Directory.Exists(work) ? Directory.GetFiles(work, "upload-*") : []);
    }

    private static void AssertNoUploadedBytes(ReelgateTestServer server)
    {
        var results = Path.Combine(server.DataDirectory, "results");
        Assert.Empty(Directory.Exists(results) ? Directory.GetFileSystemEntries(results, "file_*") : []);
    }

    private static async Task<byte[]> MakePngAsync(int width, int height)
    {
        var path = Path.Combine(Path.GetTempPath(), "reelgate-upload-" + Guid.NewGuid().ToString("N") + ".png");
        using (var p = Process.Start(new ProcessStartInfo("/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc=s={width}x{height}", "-frames:v", "1", path]) { RedirectStandardError = true })!)
        {
            await p.WaitForExitAsync();
            Assert.Equal(0, p.ExitCode);
        }

        try
        {
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
