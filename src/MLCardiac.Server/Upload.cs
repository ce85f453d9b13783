using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace MLCardiac.Server;

/// <summary>
/// One uploaded image, held in memory (never written to disk), and the form fields that came with it.
/// <see cref="ReadAsync"/> streams a multipart body part by part with a hard size bound, so an oversize upload
/// is refused (413) as soon as it passes the bound.
/// </summary>
public sealed class Upload
{
    private Upload(byte[] buffer, int length, IReadOnlyDictionary<string, string> fields)
    {
        Buffer = buffer;
        Length = length;
        Fields = fields;
    }

    /// <summary>The file's bytes (the first <see cref="Length"/> of them).</summary>
    public byte[] Buffer { get; }

    /// <summary>Bytes of the file.</summary>
    public int Length { get; }

    /// <summary>Small form fields (ed, es, inline), by lower-case name.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>The only fields read from the form; others are skipped.</summary>
    private static readonly HashSet<string> KnownFields = new(StringComparer.OrdinalIgnoreCase) { "ed", "es", "inline" };

    /// <summary>Reads the multipart body of <paramref name="request"/>: exactly one file part of at most <paramref name="maxBytes"/> bytes.</summary>
    /// <exception cref="ApiException">415 when the body is not multipart/form-data, 413 when the file is too large, 400 when it is malformed or missing.</exception>
    public static async Task<Upload> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
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
        byte[]? buffer = null;
        int length = 0;
        try
        {
            for (MultipartSection? section = await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false);
                 section is not null;
                 section = await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out ContentDispositionHeaderValue? disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                    throw new ApiException(400, "Malformed multipart body", "a part has no form-data Content-Disposition.");
                if (disposition.IsFileDisposition())
                {
                    if (buffer is not null)
                        throw new ApiException(400, "Too many files", "send exactly one image per request.");
                    (buffer, length) = await ReadBoundedAsync(section.Body, maxBytes, request.ContentLength, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    string name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                    string value = await ReadSmallAsync(section.Body, name, cancellationToken).ConfigureAwait(false);
                    if (KnownFields.Contains(name)) fields[name.ToLowerInvariant()] = value.Trim();
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes);
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            throw TooLarge(maxBytes);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new ApiException(400, "Malformed multipart body", $"the request body could not be read as multipart/form-data ({e.Message}).");
        }
        if (buffer is null)
            throw new ApiException(400, "No file", "the form has no file part; send the image as a file field (e.g. curl -F file=@scan.nii.gz).");
        return new Upload(buffer, length, fields);
    }

    /// <summary>Room for multipart boundaries and part headers on top of the file itself.</summary>
    private const long MultipartOverheadBytes = 64 * 1024;

    private static ApiException TooLarge(long maxBytes) =>
        new(413, "Upload too large", $"the upload exceeds the limit of {maxBytes} bytes ({maxBytes / (1024.0 * 1024):F1} MiB).");

    private static async Task<(byte[] Buffer, int Length)> ReadBoundedAsync(Stream body, long maxBytes, long? contentLength, CancellationToken cancellationToken)
    {
        int capacity = (int)Math.Min(Math.Min(maxBytes + 1, contentLength ?? 1 << 20), Array.MaxLength);
        byte[] buffer = new byte[Math.Max(capacity, 4096)];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > maxBytes) throw TooLarge(maxBytes);
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, Math.Min(maxBytes + 1, Array.MaxLength)));
            }
            int n = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (n == 0) break;
            length += n;
            if (length > maxBytes) throw TooLarge(maxBytes);
        }
        return (buffer, length);
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
