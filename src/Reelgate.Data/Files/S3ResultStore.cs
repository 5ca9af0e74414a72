using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Util;
using Reelgate.Core.Results;

namespace Reelgate.Data.Files;

/// <summary>What <see cref="S3ResultStore"/> needs: where the bucket is and how to sign.</summary>
public sealed record S3ResultStoreSettings(
    string ServiceUrl,
    string Bucket,
    string Region,
    string? AccessKey,
    string? SecretKey,
    string Prefix,
    bool ForcePathStyle,
    bool Redirect,
    bool CreateBucket,
    TimeSpan Timeout);

/// <summary>
/// Result files in an S3-compatible bucket (AWS S3, MinIO, Ceph, Swift's s3api), so every API
/// node serves what any worker made, with no shared disk. Objects are
/// <c>{Prefix}{taskId}/{fileName}</c>, written whole by one PUT (S3 never shows half an
/// object), replaced whole when a retried task puts the same key. Served by Reelgate with
/// ranged GETs, or, with <see cref="S3ResultStoreSettings.Redirect"/>, by a redirect to a
/// presigned URL valid a few minutes. Every failure to reach the bucket, once the SDK's own
/// retries are spent, is an <see cref="IOException"/>.
/// </summary>
public sealed class S3ResultStore : IResultStore, IDisposable
{
    private readonly AmazonS3Client _s3;
    private readonly S3ResultStoreSettings _settings;
    private readonly Protocol _protocol;

    public S3ResultStore(S3ResultStoreSettings settings)
    {
        _settings = settings;
        var config = new AmazonS3Config
        {
            ServiceURL = settings.ServiceUrl,
            ForcePathStyle = settings.ForcePathStyle,
            AuthenticationRegion = settings.Region,
            // Plain S3-compatible servers do not all speak the newer flexible checksums.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = settings.Timeout,
            MaxErrorRetry = 3,
        };
        _protocol = settings.ServiceUrl.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? Protocol.HTTP : Protocol.HTTPS;
        _s3 = settings.AccessKey is { Length: > 0 } access
            ? new AmazonS3Client(new BasicAWSCredentials(access, settings.SecretKey), config)
            : new AmazonS3Client(config);
    }

    public string Description => "S3 bucket '" + _settings.Bucket + "' at " + _settings.ServiceUrl + (_settings.Redirect ? " (served by redirect)" : " (served through Reelgate)");

    public IAmazonS3 Client => _s3;

    public async Task EnsureReadyAsync(CancellationToken ct)
    {
        bool exists;
        try
        {
            exists = await AmazonS3Util.DoesS3BucketExistV2Async(_s3, _settings.Bucket);
        }
        catch (Exception e) when (IsStoreFailure(e, ct))
        {
            throw new IOException("S3 result store: " + _settings.ServiceUrl + " did not answer for bucket '" + _settings.Bucket + "' (" + Describe(e) + "); check Reelgate:S3:ServiceUrl and the credentials", e);
        }

        if (exists)
        {
            return;
        }

        if (!_settings.CreateBucket)
        {
            throw new IOException("S3 result store: bucket '" + _settings.Bucket + "' does not exist at " + _settings.ServiceUrl + "; create it, or set Reelgate:S3:CreateBucket=true");
        }

        try
        {
            await _s3.PutBucketAsync(new PutBucketRequest { BucketName = _settings.Bucket }, ct);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
            // Another node created it first.
        }
        catch (Exception e) when (IsStoreFailure(e, ct))
        {
            throw new IOException("S3 result store: could not create bucket '" + _settings.Bucket + "' (" + Describe(e) + ")", e);
        }
    }

    /// <summary>A HEAD on the bucket: the endpoint answers and the credentials reach the bucket.</summary>
    public async Task ProbeAsync(CancellationToken ct)
    {
        try
        {
            await _s3.HeadBucketAsync(new HeadBucketRequest { BucketName = _settings.Bucket }, ct);
        }
        catch (Exception e) when (IsStoreFailure(e, ct))
        {
            throw new IOException("S3 result store: HEAD of bucket '" + _settings.Bucket + "' failed (" + Describe(e) + ")", e);
        }
    }

    public async Task<string> PutAsync(string taskId, string fileName, string sourcePath, CancellationToken ct)
    {
        var key = taskId + "/" + fileName;
        if (!ResultKeys.IsValid(key))
        {
            throw new ArgumentException("result key is not of the form {taskId}/{fileName}", nameof(fileName));
        }

        try
        {
            await _s3.PutObjectAsync(
                new PutObjectRequest
                {
                    BucketName = _settings.Bucket,
                    Key = _settings.Prefix + key,
                    FilePath = sourcePath,
                    ContentType = ResultKeys.ContentType(key),
                    UseChunkEncoding = false,
                },
                ct);
        }
        catch (Exception e) when (IsStoreFailure(e, ct))
        {
            throw new IOException("S3 result store: could not put " + key + " (" + Describe(e) + ")", e);
        }

        // The bucket holds it now; the local copy goes, as a local store's rename would.
        File.Delete(sourcePath);
        return key;
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        if (!ResultKeys.IsValid(key))
        {
            return;
        }

        try
        {
            await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _settings.Bucket, Key = _settings.Prefix + key }, ct);
        }
        catch (Exception e) when (IsStoreFailure(e, ct))
        {
            throw new IOException("S3 result store: could not delete " + key + " (" + Describe(e) + ")", e);
        }
    }

    public async Task<ResultFile?> FindAsync(string key, CancellationToken ct)
    {
        if (!ResultKeys.IsValid(key))
        {
            return null;
        }

        try
        {
            var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _settings.Bucket, Key = _settings.Prefix + key }, ct);
            var modified = head.LastModified is { } m ? new DateTimeOffset(DateTime.SpecifyKind(m.ToUniversalTime(), DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch;
            var etag = head.ETag is { Length: > 0 } e ? (e.StartsWith('"') ? e : "\"" + e + "\"") : "\"" + head.ContentLength.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"";
            return new ResultFile(key, head.ContentLength, modified, ResultKeys.ContentType(key), etag);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception e) when (IsStoreFailure(e, ct))
        {
            throw new IOException("S3 result store: could not look up " + key + " (" + Describe(e) + ")", e);
        }
    }

    public Task<Stream> OpenReadAsync(ResultFile file, CancellationToken ct) =>
        Task.FromResult<Stream>(new S3ObjectStream(_s3, _settings.Bucket, _settings.Prefix + file.Key, file.Length));

    public Uri? DirectUrl(ResultFile file, TimeSpan lifetime)
    {
        if (!_settings.Redirect)
        {
            return null;
        }

        var url = _s3.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = _settings.Bucket,
            Key = _settings.Prefix + file.Key,
            Verb = HttpVerb.GET,
            Protocol = _protocol,
            Expires = DateTime.UtcNow.Add(lifetime),
        });
        return new Uri(url);
    }

    public void Dispose() => _s3.Dispose();

    private static bool IsStoreFailure(Exception e, CancellationToken ct) =>
        !ct.IsCancellationRequested && e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or OperationCanceledException;

    // The exception's kind and status, never its message alone: some carry the request URL.
    private static string Describe(Exception e) => e switch
    {
        AmazonServiceException s => s.GetType().Name + " " + (int)s.StatusCode + " " + s.ErrorCode,
        _ => e.GetType().Name,
    };
}
