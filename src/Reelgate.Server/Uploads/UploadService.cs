using Microsoft.Extensions.Options;
using Reelgate.Core.Media;
using Reelgate.Core.Results;
using Reelgate.Core.Uploads;
using Reelgate.Server.Options;
using Reelgate.Server.Security;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Uploads;

/// <summary>
/// The one path of every upload (<c>POST /api/v1/files</c>, the kie.ai upload routes, and
/// <c>data:</c> URIs the task creator stores): the bytes go to a temporary file of the work
/// directory while they are counted (refused past <see cref="MaxBytes"/> without reading on),
/// are checked by content (<see cref="IMediaInspector"/>, any kind), go into the result store as
/// <c>file_{id}/source.{ext}</c> (the extension from the inspection, never the client's name), and
/// are recorded against the account's quota (<see cref="IUploadStore.AddAsync"/>, atomic). Bytes
/// go in before the row, so a row never names missing bytes; a refused row deletes its bytes
/// again, and a refused file leaves nothing on disk.
/// </summary>
public sealed partial class UploadService(
    IMediaInspector inspector,
    IResultStore results,
    IUploadStore uploads,
    ResultUrlSigner signer,
    TimeProvider time,
    IOptions<ReelgateOptions> options,
    ILogger<UploadService> log)
{
    /// <summary>The largest file of any kind (a video); nothing larger is read to its end.</summary>
    public const long MaxBytes = MediaLimits.MaxVideoBytes;

    private readonly WorkDirectory _work = new(options.Value.DataDirectory);

    /// <summary>Copies <paramref name="source"/> to a temporary file, counting; stops and keeps nothing once past <see cref="MaxBytes"/>.</summary>
    public async Task<SpooledFile> SpoolAsync(Stream source, CancellationToken ct)
    {
        var path = SpoolPath();
        var buffer = new byte[81920];
        long total = 0;
        var kept = false;
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                int read;
                while ((read = await source.ReadAsync(buffer, ct)) > 0)
                {
                    total += read;
                    if (total > MaxBytes)
                    {
                        return SpooledFile.Oversized();
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }

            kept = true;
            return SpooledFile.Kept(path, total);
        }
        finally
        {
            if (!kept)
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>A fresh temporary file name for an upload being received (its directory exists).</summary>
    public string SpoolPath()
    {
        Directory.CreateDirectory(_work.Path);
        return Path.Combine(_work.Path, "upload-" + Guid.NewGuid().ToString("N") + ".part");
    }

    /// <summary>Checks, stores and records a spooled file for the account; the caller still disposes <paramref name="spooled"/>.</summary>
    public async Task<UploadResult> StoreAsync(string accountId, SpooledFile spooled, string? fileName, string baseUrl, CancellationToken ct)
    {
        if (spooled.TooLarge)
        {
            return UploadResult.Refused(422, $"file is larger than {MaxBytes / (1024 * 1024)} MiB");
        }

        var check = await inspector.InspectAsync(spooled.Path!, null, ct);
        if (check.Info is not { } info)
        {
            return UploadResult.Refused(422, "file " + check.Problem);
        }

        var id = FileIds.New();
        var key = await results.PutAsync(id, "source." + info.Extension, spooled.Path!, ct);
        var now = time.GetUtcNow();
        var o = options.Value;
        var file = new UploadedFile(id, accountId, key, UploadNames.FileName(fileName, "source." + info.Extension), info, now, now + o.UploadRetention);
        UploadAdmission admission;
        try
        {
            admission = await uploads.AddAsync(file, o.UploadQuotaBytes, now, ct);
        }
        catch
        {
            await results.DeleteAsync(key, CancellationToken.None);
            throw;
        }

        if (!admission.Added)
        {
            await results.DeleteAsync(key, CancellationToken.None);
            return UploadResult.Refused(422, $"upload quota of {o.UploadQuotaBytes} bytes exceeded");
        }

        LogStored(id, accountId, info.MimeType, info.Size);
        return UploadResult.Ok(file, SignedUrl(file, baseUrl));
    }

    /// <summary>A request body or a fetched response: spooled, then stored.</summary>
    public async Task<UploadResult> AddStreamAsync(string accountId, Stream source, string? fileName, string baseUrl, CancellationToken ct)
    {
        using var spooled = await SpoolAsync(source, ct);
        return await StoreAsync(accountId, spooled, fileName, baseUrl, ct);
    }

    /// <summary>Bytes already in memory (a decoded base64 body, a <c>data:</c> URI of a createTask input).</summary>
    public async Task<UploadResult> AddBytesAsync(string accountId, ReadOnlyMemory<byte> bytes, string? fileName, string baseUrl, CancellationToken ct)
    {
        if (bytes.Length > MaxBytes)
        {
            return UploadResult.Refused(422, $"file is larger than {MaxBytes / (1024 * 1024)} MiB");
        }

        using var source = new MemoryStream(bytes.ToArray(), writable: false);
        return await AddStreamAsync(accountId, source, fileName, baseUrl, ct);
    }

    /// <summary>The file's signed URL, valid until it expires.</summary>
    public string SignedUrl(UploadedFile file, string baseUrl)
    {
        var left = file.ExpiresAt - time.GetUtcNow();
        return signer.Sign(baseUrl, file.Key, left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "upload {FileId} stored for account {AccountId}: {MimeType}, {Size} bytes")]
    private partial void LogStored(string fileId, string accountId, string mimeType, long size);
}
