using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Reelgate.Data.Files;

/// <summary>
/// A read-only, seekable view of one S3 object of known length. Nothing is fetched until the
/// first read; a read at a position the open body is not at opens a ranged GET from there
/// to the end, so ASP.NET's range handling (seek, then read a count) costs one request.
/// </summary>
internal sealed class S3ObjectStream(IAmazonS3 s3, string bucket, string key, long length) : Stream
{
    private GetObjectResponse? _response;
    private Stream? _body;
    private long _bodyPosition = -1;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.Length == 0)
        {
            return 0;
        }

        if (_body is null || _bodyPosition != _position)
        {
            CloseBody();
            try
            {
                _response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, ByteRange = new ByteRange(_position, length - 1) }, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is AmazonServiceException or AmazonClientException or HttpRequestException)
            {
                throw new IOException("S3 result store: could not read " + key + " (" + e.GetType().Name + ")", e);
            }

            _body = _response.ResponseStream;
            _bodyPosition = _position;
        }

        var read = await _body.ReadAsync(buffer, cancellationToken);
        if (read == 0)
        {
            throw new IOException("S3 result store: " + key + " ended at byte " + _position + " of " + length);
        }

        _position += read;
        _bodyPosition += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseBody();
        }

        base.Dispose(disposing);
    }

    private void CloseBody()
    {
        _body?.Dispose();
        _response?.Dispose();
        _body = null;
        _response = null;
        _bodyPosition = -1;
    }
}
