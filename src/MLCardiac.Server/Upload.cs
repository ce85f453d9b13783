using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IO;
using Microsoft.Net.Http.Headers;

namespace MLCardiac.Server;

/// <summary>
/// One uploaded image, held in memory (never written to disk), and the form fields that came with it.
/// <see cref="ReadAsync"/> streams a multipart body part by part into pooled blocks that grow with the bytes actually
/// received — never with the declared Content-Length — reserving each block against the service's
/// <see cref="MemoryBudget"/> before it is filled: an oversize upload is refused (413) as soon as it passes the size
/// bound, and one that does not fit the budget (503) as soon as it does not.
/// </summary>
public sealed class Upload : IDisposable
{
    /// <summary>Size of the pooled blocks an upload is stored in: 128 KiB.</summary>
    public const int BlockBytes = 128 * 1024;

    /// <summary>
    /// The shared pool of blocks. It keeps at most 32 MiB of free blocks for the next uploads; beyond that returned blocks
    /// are left to the GC, so memory goes back after a burst. Contiguous "large buffers" are never asked for.
    /// </summary>
    private static readonly RecyclableMemoryStreamManager Pool = new(new RecyclableMemoryStreamManager.Options
    {
        BlockSize = BlockBytes,
        LargeBufferMultiple = 1 << 20,
        MaximumBufferSize = 8 << 20,
        MaximumSmallPoolFreeBytes = 32L << 20,
        MaximumLargePoolFreeBytes = 16L << 20,
    });

    private readonly RecyclableMemoryStream _content;

    private Upload(RecyclableMemoryStream content, IReadOnlyDictionary<string, string> fields)
    {
        _content = content;
        Fields = fields;
    }

    /// <summary>Bytes of the file.</summary>
    public long Length => _content.Length;

    /// <summary>Small form fields (ed, es, inline), by lower-case name.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>The only fields read from the form; others are skipped.</summary>
    private static readonly HashSet<string> KnownFields = new(StringComparer.OrdinalIgnoreCase) { "ed", "es", "inline" };

    /// <summary>
    /// The file's bytes from the start, as a seekable read stream. Each call rewinds the same stream: read it to the end
    /// before calling again, and do not dispose it (the upload does).
    /// </summary>
    public Stream OpenRead()
    {
        _content.Position = 0;
        return _content;
    }

    /// <summary>Returns the blocks to the pool.</summary>
    public void Dispose() => _content.Dispose();

    /// <summary>Creates an upload of <paramref name="bytes"/> (tests and benchmarks).</summary>
    public static Upload FromBytes(ReadOnlySpan<byte> bytes, IReadOnlyDictionary<string, string>? fields = null)
    {
        var content = Pool.GetStream("upload");
        content.Write(bytes);
        return new Upload(content, fields ?? new Dictionary<string, string>());
    }

    /// <summary>
    /// Reads the multipart body of <paramref name="request"/>: exactly one file part of at most <paramref name="maxBytes"/>
    /// bytes, each block of it reserved in <paramref name="reservation"/> before it is filled.
    /// </summary>
    /// <exception cref="ApiException">415 when the body is not multipart/form-data, 413 when the file is too large, 503 when
    /// the memory budget cannot hold it, 408 when the client sends too slowly, 400 when it is malformed or missing.</exception>
    public static async Task<Upload> ReadAsync(HttpRequest request, long maxBytes, MemoryBudget.Reservation reservation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(reservation);
        if (request.ContentLength > maxBytes + MultipartOverheadBytes)
            throw TooLarge(maxBytes);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new ApiException(415, "Unsupported media type", "send the image as multipart/form-data with one file part (a .nii or .nii.gz).");
        string boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value ?? "";
        if (boundary.Length is 0 or > 200)
            throw new ApiException(400, "Malformed multipart body", "the multipart/form-data content type has no valid boundary.");

        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = maxBytes + 1 };
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        RecyclableMemoryStream? content = null;
        try
        {
            for (MultipartSection? section = await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false);
                 section is not null;
                 section = await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out ContentDispositionHeaderValue? disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                    throw new ApiException(400, "Malformed multipart body", "a part has no form-data Content-Disposition.");
                if (IsFile(disposition))
                {
                    if (content is not null)
                        throw new ApiException(400, "Too many files", "send exactly one image per request.");
                    content = Pool.GetStream("upload");
                    await ReadBoundedAsync(section.Body, content, maxBytes, reservation, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    string name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                    string value = await ReadSmallAsync(section.Body, name, cancellationToken).ConfigureAwait(false);
                    if (KnownFields.Contains(name) && !fields.TryAdd(name.ToLowerInvariant(), value.Trim()))
                        throw new ApiException(400, "Repeated field", $"form field '{name.ToLowerInvariant()}' is given more than once; give it once.");
                }
            }
        }
        catch (Exception e) when (Refusal(e, maxBytes, cancellationToken) is ApiException refusal)
        {
            content?.Dispose();
            throw refusal;
        }
        catch
        {
            content?.Dispose();
            throw;
        }
        if (content is null)
            throw new ApiException(400, "No file", "the form has no file part; send the image as a file field (e.g. curl -F file=@scan.nii.gz).");
        return new Upload(content, fields);
    }

    /// <summary>A part is the file when its Content-Disposition has a filename parameter, even an empty one.</summary>
    private static bool IsFile(ContentDispositionHeaderValue disposition) =>
        disposition.Parameters.Any(p => p.Name.Equals("filename", StringComparison.OrdinalIgnoreCase) || p.Name.Equals("filename*", StringComparison.OrdinalIgnoreCase));

    /// <summary>What the client is told when reading the body failed with <paramref name="e"/>; null for errors that are not the body's (rethrown).</summary>
    private static ApiException? Refusal(Exception e, long maxBytes, CancellationToken cancellationToken) => e switch
    {
        ApiException => null,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge(maxBytes),
        BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } =>
            new ApiException(408, "Upload too slow", "the upload arrived more slowly than the service accepts and was cut off."),
        // MultipartReader's own limits: the body's (the file bound) is a 413; a part's headers over 16 KiB are a bad request.
        InvalidDataException when e.Message.Contains("body length limit", StringComparison.OrdinalIgnoreCase) => TooLarge(maxBytes),
        InvalidDataException when e.Message.Contains("header", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("Line length limit", StringComparison.OrdinalIgnoreCase) =>
            new ApiException(400, "Malformed multipart body", "a part's headers are too long (the limit is 16 KiB)."),
        IOException or InvalidDataException or BadHttpRequestException when !cancellationToken.IsCancellationRequested =>
            new ApiException(400, "Malformed multipart body", $"the request body could not be read as multipart/form-data ({e.Message})."),
        _ => null,
    };

    /// <summary>Room for multipart boundaries and part headers on top of the file itself.</summary>
    private const long MultipartOverheadBytes = 64 * 1024;

    private static ApiException TooLarge(long maxBytes) =>
        new(413, "Upload too large", $"the upload exceeds the limit of {maxBytes} bytes ({maxBytes / (1024.0 * 1024):F1} MiB).");

    /// <summary>The 503 of an upload the memory budget cannot hold.</summary>
    internal static ApiException OverBudget(string what, long needBytes) =>
        new(503, "Memory budget exhausted", $"the service's memory budget cannot hold {what} ({MemoryBudget.Format(needBytes)} more) while other requests use it; retry shortly.");

    private static async Task ReadBoundedAsync(Stream body, RecyclableMemoryStream content, long maxBytes, MemoryBudget.Reservation reservation, CancellationToken cancellationToken)
    {
        byte[] chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        long reserved = 0;
        try
        {
            while (true)
            {
                int n = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
                if (n == 0) break;
                long length = content.Length + n;
                if (length > maxBytes) throw TooLarge(maxBytes);
                if (length > reserved)
                {
                    // Whole blocks, reserved before they are filled: what the upload holds never exceeds what it reserved.
                    long blocks = (length - reserved + BlockBytes - 1) / BlockBytes;
                    if (!reservation.TryGrow(blocks * BlockBytes)) throw OverBudget("the upload", blocks * BlockBytes);
                    reserved += blocks * BlockBytes;
                }
                content.Write(chunk, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static async Task<string> ReadSmallAsync(Stream body, string name, CancellationToken cancellationToken)
    {
        var buffer = new byte[65];
        int length = 0, n;
        while ((n = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += n;
            if (length == buffer.Length) throw new ApiException(400, "Field too long", $"form field '{Truncate(name)}' is longer than 64 bytes.");
        }
        return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static string Truncate(string s) => s.Length <= 32 ? s : s[..32];
}
