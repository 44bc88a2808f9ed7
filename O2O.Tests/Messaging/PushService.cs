using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using O2O.Silo.Messaging;

namespace O2O.Tests.Messaging;

/// <summary>A push message the stand-in accepted, decrypted as the browser would.</summary>
public sealed record PushDelivery(string Subscription, string Payload, int TimeToLive, string? Urgency);

/// <summary>
/// A local push service (RFC 8030) on a real Kestrel port that also plays the subscribed browser. It
/// refuses what a real one refuses: no or a malformed <c>Authorization: vapid t=…, k=…</c>, a VAPID JWT
/// (RFC 8292) that is not ES256, not signed by the key in <c>k</c>, for another audience, expired or
/// valid for more than 24 hours, or without a <c>mailto:</c>/<c>https:</c> subject (403); no <c>TTL</c>
/// or a content encoding other than <c>aes128gcm</c> (400). It decrypts the payload with the
/// subscription's private key and auth secret (RFC 8291) and keeps it. Subscriptions named
/// <c>gone-*</c> answer 410; <c>throttled-*</c> answer 429 once per message.
/// </summary>
public sealed class PushService : Infrastructure.LoopbackServer
{
    private readonly ConcurrentDictionary<string, (ECDiffieHellman Key, byte[] Auth)> _subscriptions = new();
    private readonly ConcurrentDictionary<string, int> _throttled = new();

    public ConcurrentQueue<PushDelivery> Received { get; } = new();

    /// <summary>Why requests were refused (a test expecting a clean send fails when one is here).</summary>
    public ConcurrentQueue<string> Refused { get; } = new();

    protected override void Map(WebApplication app) => app.MapPost("/push/{id}", (Delegate)PushAsync);

    /// <summary>A browser subscribing: a new P-256 key pair and auth secret; answers the endpoint and keys as <c>PushSubscription.toJSON()</c> would.</summary>
    public (string Endpoint, PushKeys Keys) Subscribe(string id)
    {
        var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var auth = RandomNumberGenerator.GetBytes(16);
        _subscriptions[id] = (key, auth);
        return ($"{BaseUrl}/push/{id}", new PushKeys(Base64Url.EncodeToString(PublicPoint(key.ExportParameters(false))), Base64Url.EncodeToString(auth)));
    }

    /// <summary>An application server key pair for VAPID, base64url: public (65 bytes) and private (32 bytes).</summary>
    public static (string Public, string Private) VapidKeys()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(true);
        return (Base64Url.EncodeToString(PublicPoint(p)), Base64Url.EncodeToString(p.D));
    }

    private async Task<IResult> PushAsync(string id, HttpContext http)
    {
        if (VapidProblem(http.Request.Headers.Authorization.ToString()) is { } vapid)
        {
            Refused.Enqueue(vapid);
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }
        if (!int.TryParse(http.Request.Headers["TTL"].ToString(), out var ttl) || ttl < 0)
        {
            Refused.Enqueue("no TTL header");
            return Results.BadRequest();
        }
        if (http.Request.Headers.ContentEncoding.ToString() != "aes128gcm")
        {
            Refused.Enqueue("Content-Encoding is not aes128gcm");
            return Results.BadRequest();
        }
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        if (id.StartsWith("gone-", StringComparison.Ordinal))
        {
            return Results.StatusCode(StatusCodes.Status410Gone);
        }
        if (id.StartsWith("throttled-", StringComparison.Ordinal) && _throttled.AddOrUpdate(id, 1, (_, n) => n + 1) == 1)
        {
            return Results.StatusCode(StatusCodes.Status429TooManyRequests);
        }
        if (!_subscriptions.TryGetValue(id, out var subscription))
        {
            return Results.NotFound();
        }
        string payload;
        try
        {
            payload = Decrypt(buffer.ToArray(), subscription.Key, subscription.Auth);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or InvalidDataException)
        {
            Refused.Enqueue("the payload does not decrypt for the subscription: " + ex.Message);
            return Results.BadRequest();
        }
        Received.Enqueue(new PushDelivery(id, payload, ttl, http.Request.Headers["Urgency"].FirstOrDefault()));
        http.Response.Headers.Location = $"{BaseUrl}/messages/{Guid.NewGuid():N}";
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    /// <summary>Null when the VAPID header is as RFC 8292 asks; otherwise what is wrong.</summary>
    private string? VapidProblem(string authorization)
    {
        if (!authorization.StartsWith("vapid ", StringComparison.Ordinal))
        {
            return "no vapid authorization";
        }
        var parameters = authorization[6..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parameters.TryGetValue("t", out var jwt) || !parameters.TryGetValue("k", out var k))
        {
            return "vapid needs t and k";
        }
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return "t is not a JWT";
        }
        try
        {
            var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement;
            var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement;
            if (header.GetProperty("alg").GetString() != "ES256")
            {
                return "the JWT is not ES256";
            }
            var point = Base64Url.DecodeFromChars(k);
            using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = point[1..33], Y = point[33..65] } });
            if (point.Length != 65 || !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256))
            {
                return "the JWT is not signed by the key in k";
            }
            // The audience is the push service's origin. Lib.Net.Http.WebPush writes it as scheme and host,
            // which is the origin of every real push service (https on its default port 443); this
            // stand-in listens on a loopback port, so it compares scheme and host.
            var origin = new Uri(BaseUrl);
            if (claims.GetProperty("aud").GetString() != $"{origin.Scheme}://{origin.Host}")
            {
                return $"the JWT's audience is not this push service's origin: {claims.GetProperty("aud").GetString()}";
            }
            var exp = DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("exp").GetInt64());
            if (exp <= DateTimeOffset.UtcNow || exp > DateTimeOffset.UtcNow.AddHours(24).AddMinutes(1))
            {
                return "the JWT's exp is past or more than 24 hours ahead";
            }
            if (claims.GetProperty("sub").GetString() is not { } sub || !(sub.StartsWith("mailto:", StringComparison.Ordinal) || sub.StartsWith("https:", StringComparison.Ordinal)))
            {
                return "the JWT's sub is not a mailto: or https: contact";
            }
            return null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or CryptographicException or ArgumentException)
        {
            return "malformed VAPID token: " + ex.Message;
        }
    }

    /// <summary>RFC 8291 over RFC 8188: one aes128gcm record keyed from ECDH with the sender's key in the header, salted, with the auth secret.</summary>
    private static string Decrypt(byte[] body, ECDiffieHellman subscriber, byte[] auth)
    {
        var salt = body[..16];
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
        var idLength = body[20];
        var senderPoint = body[21..(21 + idLength)];
        var ciphertext = body[(21 + idLength)..];
        if (idLength != 65 || ciphertext.Length > recordSize)
        {
            throw new InvalidDataException("the header's key id is not a P-256 point, or the record is longer than its size");
        }
        using var sender = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = senderPoint[1..33], Y = senderPoint[33..65] } });
        var shared = subscriber.DeriveRawSecretAgreement(sender.PublicKey);
        var subscriberPoint = PublicPoint(subscriber.ExportParameters(false));
        var keyInfo = Encoding.ASCII.GetBytes("WebPush: info\0").Concat(subscriberPoint).Concat(senderPoint).Append((byte)1).ToArray();
        var ikm = HMACSHA256.HashData(HMACSHA256.HashData(auth, shared), keyInfo);
        var prk = HMACSHA256.HashData(salt, ikm);
        var cek = HMACSHA256.HashData(prk, Encoding.ASCII.GetBytes("Content-Encoding: aes128gcm\0\u0001"))[..16];
        var nonce = HMACSHA256.HashData(prk, Encoding.ASCII.GetBytes("Content-Encoding: nonce\0\u0001"))[..12];
        var plain = new byte[ciphertext.Length - 16];
        using (var aes = new AesGcm(cek, 16))
        {
            aes.Decrypt(nonce, ciphertext[..^16], ciphertext[^16..], plain);
        }
        var end = Array.FindLastIndex(plain, b => b != 0);
        if (end < 0 || plain[end] != 2)
        {
            throw new InvalidDataException("the last record does not end with the 0x02 delimiter");
        }
        return Encoding.UTF8.GetString(plain, 0, end);
    }

    private static byte[] PublicPoint(ECParameters p) => [0x04, .. p.Q.X!, .. p.Q.Y!];
}
