using System.Buffers;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace O2O.Api.Ingestion;

/// <summary>Endpoint metadata: the endpoint takes a tracking body of at most <paramref name="Bytes"/>, counted after decoding.</summary>
public sealed record TrackingBodyLimit(int Bytes);

/// <summary>
/// The JSON of a tracking call, read once per request (authentication may need its <c>writeKey</c>
/// before the endpoint runs). Whatever the <c>Content-Type</c> says, the body is parsed as JSON, as
/// the tracking libraries label it <c>text/plain</c> (browsers, to avoid a preflight),
/// <c>application/x-www-form-urlencoded</c> or nothing. <c>Content-Encoding: gzip</c>,
/// <c>deflate</c> (zlib or raw) and <c>br</c> are decoded, and the limit applies to the decoded
/// bytes, so a small compressed bomb stops at the limit. A pixel call (GET) carries its JSON in
/// the <c>data</c> query parameter, base64-encoded.
/// </summary>
public sealed class TrackingBody : IDisposable
{
    private TrackingBody(JsonDocument? document, ProblemHttpResult? problem)
    {
        Document = document;
        Problem = problem;
    }

    public JsonDocument? Document { get; }

    /// <summary>Why the body could not be read (400, 413, 415); null when <see cref="Document"/> is set.</summary>
    public ProblemHttpResult? Problem { get; }

    /// <summary>The <c>writeKey</c> field, where browser libraries and older server libraries send the key.</summary>
    public string? WriteKey =>
        Document?.RootElement is { ValueKind: JsonValueKind.Object } root
            ? KeyOf(root) ?? (root.TryGetProperty("batch", out var batch) && batch.ValueKind == JsonValueKind.Array && batch.GetArrayLength() > 0
                && batch[0].ValueKind == JsonValueKind.Object ? KeyOf(batch[0]) : null)
            : null;

    private static string? KeyOf(JsonElement json) =>
        json.TryGetProperty("writeKey", out var key) && key.ValueKind == JsonValueKind.String ? key.GetString() : null;

    public void Dispose() => Document?.Dispose();

    /// <summary>The request's tracking body, read on first use with the endpoint's <see cref="TrackingBodyLimit"/>.</summary>
    public static async ValueTask<TrackingBody> ReadAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Features.Get<TrackingBody>() is { } read)
        {
            return read;
        }
        var limit = http.GetEndpoint()?.Metadata.GetMetadata<TrackingBodyLimit>()?.Bytes
            ?? throw new InvalidOperationException("The endpoint declares no TrackingBodyLimit.");
        var body = HttpMethods.IsGet(http.Request.Method) ? FromQuery(http.Request, limit) : await FromBodyAsync(http.Request, limit, ct);
        http.Features.Set(body);
        http.Response.RegisterForDispose(body);
        return body;
    }

    private static TrackingBody FromQuery(HttpRequest request, int limit)
    {
        var data = request.Query["data"].ToString();
        if (data.Length == 0)
        {
            return Failed(StatusCodes.Status400BadRequest, "The data parameter is missing", "Send the call as base64-encoded JSON in the 'data' query parameter.");
        }
        if (data.Length > (limit + 2) / 3 * 4 + 4)
        {
            return TooLarge(limit);
        }
        // Base64 or its URL-safe form, padded or not, as pixel URLs are written by hand and by ad servers.
        var normalized = data.Replace('-', '+').Replace('_', '/').Replace(' ', '+');
        normalized = normalized.PadRight(normalized.Length + (4 - normalized.Length % 4) % 4, '=');
        var bytes = new byte[normalized.Length / 4 * 3];
        if (!Convert.TryFromBase64String(normalized, bytes, out var written))
        {
            return Failed(StatusCodes.Status400BadRequest, "The data parameter is not base64", "Encode the call's JSON with base64.");
        }
        return Parse(bytes.AsMemory(0, written));
    }

    private static async Task<TrackingBody> FromBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (!TryDecoder(request.Headers.ContentEncoding.ToString(), out var decoder))
        {
            return Failed(StatusCodes.Status415UnsupportedMediaType, "Unsupported Content-Encoding",
                "Send the body as is, or encoded with gzip, deflate or br.");
        }
        if (request.ContentLength > limit)
        {
            return TooLarge(limit);
        }
        var raw = await ReadRawAsync(request, limit, ct);
        if (raw is null)
        {
            return TooLarge(limit);
        }
        if (decoder is null)
        {
            return Parse(raw.WrittenMemory);
        }
        var decoded = new ArrayBufferWriter<byte>(Math.Min(limit, Math.Max(4096, raw.WrittenCount * 4)));
        try
        {
            using var stream = decoder(MemoryMarshal.TryGetArray(raw.WrittenMemory, out var bytes)
                ? new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false)
                : new MemoryStream(raw.WrittenMemory.ToArray(), writable: false));
            while (true)
            {
                // Ask for one byte past the limit: getting it proves the body is too large without inflating more.
                var room = limit + 1 - decoded.WrittenCount;
                if (room <= 0)
                {
                    return TooLarge(limit);
                }
                var read = await stream.ReadAsync(decoded.GetMemory(Math.Min(room, 16 * 1024))[..Math.Min(room, 16 * 1024)], ct);
                if (read == 0)
                {
                    break;
                }
                decoded.Advance(read);
            }
        }
        catch (InvalidDataException)
        {
            return Failed(StatusCodes.Status400BadRequest, "The body cannot be decoded",
                $"The body is not valid {request.Headers.ContentEncoding}.");
        }
        return Parse(decoded.WrittenMemory);
    }

    private static async Task<ArrayBufferWriter<byte>?> ReadRawAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var length ? (int)length : 4096);
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(ct);
            foreach (var segment in read.Buffer)
            {
                if (buffer.WrittenCount + segment.Length > limit)
                {
                    reader.AdvanceTo(read.Buffer.End);
                    return null;
                }
                buffer.Write(segment.Span);
            }
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return buffer;
            }
        }
    }

    /// <summary>The decoder for a <c>Content-Encoding</c>; null decoder for none or identity; false for one we do not speak.</summary>
    private static bool TryDecoder(string contentEncoding, out Func<Stream, Stream>? decoder)
    {
        decoder = null;
        var encoding = contentEncoding.Trim();
        switch (encoding.ToLowerInvariant())
        {
            case "" or "identity":
                return true;
            case "gzip" or "x-gzip":
                decoder = s => new GZipStream(s, CompressionMode.Decompress);
                return true;
            case "deflate":
                decoder = Inflate;
                return true;
            case "br":
                decoder = s => new BrotliStream(s, CompressionMode.Decompress);
                return true;
            default:
                return false;
        }
    }

    /// <summary>HTTP's deflate is zlib-wrapped, but some clients send raw deflate: the zlib header tells them apart.</summary>
    private static Stream Inflate(Stream s)
    {
        var first = s.ReadByte();
        var second = s.ReadByte();
        s.Position = 0;
        var zlib = first >= 0 && second >= 0 && (first & 0x0F) == 8 && ((first << 8) | second) % 31 == 0;
        return zlib ? new ZLibStream(s, CompressionMode.Decompress) : new DeflateStream(s, CompressionMode.Decompress);
    }

    private static TrackingBody Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            return new TrackingBody(JsonDocument.Parse(json), null);
        }
        catch (JsonException ex)
        {
            return Failed(StatusCodes.Status400BadRequest, "The body is not valid JSON",
                $"JSON error at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}.");
        }
    }

    private static TrackingBody TooLarge(int limit) =>
        Failed(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"At most {limit / 1024} KB per request to this endpoint, counted after decoding.");

    private static TrackingBody Failed(int status, string title, string detail) =>
        new(null, TypedResults.Problem(statusCode: status, title: title, detail: detail));
}
