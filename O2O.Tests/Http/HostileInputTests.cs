using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using O2O.Api.Ingestion;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Http;

/// <summary>
/// Every ingestion endpoint and the parsers behind them take whatever arrives (invalid UTF-8, deep
/// nesting, huge numbers, duplicate keys, timestamps in year 1 or 9999, 10,000-character names,
/// every spelling of a phone number) and answer with a 4xx problem or accept a clean event: never a
/// 5xx, never an exception, and good neighbours in a batch are kept.
/// </summary>
public sealed class HostileInputTests(ApiFactory api, ClusterFixture cluster)
{
    private static readonly string[] Endpoints = ["/v1/track", "/v1/identify", "/v1/page", "/v1/screen", "/v1/alias", "/v1/checkins", "/v1/orders", "/v1/batch"];

    private static readonly string[] Keys =
    [
        "type", "userId", "anonymousId", "previousId", "messageId", "event", "name", "timestamp", "originalTimestamp",
        "properties", "context", "traits", "page", "url", "path", "phone", "email", "storeId", "method", "orderId",
        "source", "total", "currency", "items", "sku", "product_id", "quantity", "price", "customer", "duration",
        "timeOnPageSeconds", "revenue", "category", "channel", "firstName", "lastName", "zaloId", "batch", "x",
    ];

    /// <summary>JSON text of values a hostile or careless client sends.</summary>
    private static readonly string[] Scalars =
    [
        "\"\"", "\"a\"", "\"Nguyễn Văn An\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\u0000\"", "\"<script>alert(1)</script>\"",
        "\"" + new string('x', 10_000) + "\"", "\"" + string.Concat(Enumerable.Repeat("Ạ", 5_000)) + "\"",
        "\"0901234567\"", "\"+84901234567\"", "\"84901234567\"", "\"+84 90 123 4567\"", "\"(090) 123-4567\"", "\"090.123.4567\"",
        "\"０９０１２３４５６７\"", "\"++84\"", "\"9\"", "\"+1 415 555 0100\"", "\"0000000000\"", "\"84\"",
        "\"a@b.vn\"", "\"not-an-email\"", "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"", "\"0001-01-01T00:00:00+14:00\"",
        "\"2026-13-45T99:99:99Z\"", "\"2026-11-20T10:00:00+07:00\"", "\"1999-12-31T23:59:59Z\"",
        "0", "-0", "1", "-1", "1.5", "1e400", "-1e400", "1e-400", "123456789012345678901234567890", "9223372036854775808",
        "\"1e400\"", "\"NaN\"", "\"Infinity\"", "true", "false", "null", "[]", "{}",
        "\"qr\"", "\"pos\"", "\"web\"", "\"track\"", "\"identify\"", "\"Order Completed\"", "\"HCM01\"", "\"HCM 01\"",
    ];

    private static Gen<string> Value(int depth) => depth <= 0
        ? Gen.Elements(Scalars)
        : Gen.Frequency(
            (6, Gen.Elements(Scalars)),
            (2, ObjectText(depth - 1)),
            (1, Gen.ListOf(Value(depth - 1)).Select(items => "[" + string.Join(',', items.Take(4)) + "]")));

    /// <summary>An object whose keys may repeat, mostly the names the parsers look for.</summary>
    private static Gen<string> ObjectText(int depth) =>
        Gen.ListOf(
            from key in Gen.Frequency((9, Gen.Elements(Keys)), (1, Gen.Elements("\\ud800", "", "a.b", "ü")))
            from value in Value(depth)
            select $"\"{key}\":{value}")
        .Select(pairs => "{" + string.Join(',', pairs.Take(12)) + "}");

    /// <summary>Objects that often look like real calls, with hostile values in their fields.</summary>
    private static readonly Gen<string> HostileJson = Gen.Frequency(
        (6, from body in ObjectText(3)
            from who in Gen.Elements("\"userId\":\"u-1\",", "\"anonymousId\":\"a-1\",", "\"phone\":\"0901234567\",", "")
            from what in Gen.Elements("\"event\":\"Product Viewed\",", "\"storeId\":\"HCM01\",\"method\":\"qr\",", "\"orderId\":\"o-1\",\"source\":\"pos\",\"storeId\":\"HCM01\",", "")
            select "{" + who + what + body.TrimStart('{')),
        (1, Gen.Elements(Scalars)),
        (1, Gen.Choose(60, 300).Select(depth => string.Concat(Enumerable.Repeat("{\"properties\":", depth)) + "1" + new string('}', depth))));

    private static readonly Gen<byte[]> HostileBytes = Gen.Frequency(
        (3, HostileJson.Select(Encoding.UTF8.GetBytes)),
        // Invalid UTF-8 inside an otherwise plausible body, and plain noise.
        (1, HostileJson.Select(j => Encoding.UTF8.GetBytes(j).Concat(new byte[] { 0xC3, 0x28, 0xFF, 0xFE }).ToArray())),
        (1, Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Select(a => new byte[] { (byte)'{', (byte)'"', 0xED, 0xA0, 0x80 }.Concat(a).ToArray())),
        (1, Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))));

    private static readonly Config Checks = Config.QuickThrowOnFailure.WithMaxTest(300);

    [Fact]
    public void TheParsersNeverThrowAndOnlyEverAcceptEventsTheGrainsCanHold()
    {
        var parser = new EventParser(TimeProvider.System, TestSecrets.Pseudonyms);
        Check.One(Checks, Prop.ForAll(HostileJson.ToArbitrary(), text =>
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                return true; // The endpoint answers 400 before any parser runs (checked over HTTP below).
            }
            using (document)
            {
                var root = document.RootElement;
                var results = new List<(CustomerEvent? Event, FieldError? Error)>
                {
                    parser.ParseSegment(root, null, "t"),
                    parser.ParseCheckIn(root, "t"),
                    parser.ParseOrder(root, "t"),
                };
                results.AddRange(EventParser.SegmentTypes.Values.Select(type => parser.ParseSegment(root, type, "t")));
                _ = EventParser.MessageIdOf(root);
                return results.All(r => (r.Event is null) != (r.Error is null) && (r.Event is null || IsHoldable(r.Event)));
            }
        }));
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"   \"")]
    public void ABlankMessageIdIsReplacedWithOneOfTheServersOwn(string messageId)
    {
        var parser = new EventParser(TimeProvider.System, TestSecrets.Pseudonyms);
        using var document = JsonDocument.Parse($$"""{"messageId":{{messageId}},"userId":"u-1","orderId":"o-1","source":"pos","storeId":"HCM01","total":1000}""");
        var root = document.RootElement;
        var track = parser.ParseSegment(root, EventType.Page, "t").Event.ShouldNotBeNull();
        track.MessageId.ShouldStartWith("srv-");
        parser.ParseOrder(root, "t").Event.ShouldNotBeNull().MessageId.ShouldBe("order:" + (int)OrderSource.Pos + ":o-1");
    }

    [Fact]
    public void EverySpellingOfAVietnamesePhoneNumberIsOnePerson()
    {
        string[] spellings = ["0901234567", "+84901234567", "84901234567", "+84 90 123 4567", "090 123 4567", "090-123-4567", "(090) 123 4567", "+84 (0) 90 123 4567"];
        spellings.Select(ContactPoints.NormalizePhone).Distinct().ShouldHaveSingleItem().ShouldBe("+84901234567");
    }

    [Fact]
    public async Task EveryEndpointAnswersArbitraryBytesWithAProblemOrAnAcceptanceNeverA5xx()
    {
        using var writer = api.Writer();
        var seen = new Dictionary<HttpStatusCode, int>();
        var property = Prop.ForAll(HostileBytes.ToArbitrary(), Gen.Elements(Endpoints).ToArbitrary(), (bytes, endpoint) =>
        {
            using var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = writer.PostAsync(endpoint, content).GetAwaiter().GetResult();
            lock (seen)
            {
                seen[response.StatusCode] = seen.GetValueOrDefault(response.StatusCode) + 1;
            }
            var status = (int)response.StatusCode;
            if (status >= 500)
            {
                throw new ShouldAssertException($"{endpoint} answered {status} to {Encoding.UTF8.GetString(bytes)[..Math.Min(300, bytes.Length)]}: {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
            }
            return status == 200
                || (status is >= 400 and < 500 && response.Content.Headers.ContentType?.MediaType == "application/problem+json");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(400), property);
        seen.Keys.ShouldContain(HttpStatusCode.BadRequest);
        await Task.CompletedTask;
    }

    [Fact]
    public void ABatchKeepsEveryGoodItemWhateverItsNeighboursAre()
    {
        using var writer = api.Writer();
        var items = Gen.ListOf(Gen.Frequency((1, Gen.Constant<string?>(null)), (2, HostileJson.Select(j => (string?)j))))
            .Select(l => l.Take(12).ToList());
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(80), Prop.ForAll(items.ToArbitrary(), list =>
        {
            var run = Guid.NewGuid().ToString("N");
            // Null slots become good items; the rest are hostile (and may well be valid too).
            var texts = list.Select((t, i) => t ?? $$"""{"type":"page","anonymousId":"good-{{run}}","messageId":"good-{{run}}-{{i}}","name":"Home"}""").ToList();
            var body = "{\"batch\":[" + string.Join(',', texts.Select(t => t.StartsWith('{') ? t : "{\"v\":" + t + "}")) + "]}";
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = writer.PostAsync("/v1/batch", content).GetAwaiter().GetResult();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                // The whole body could not be read (too deep, too large): a 4xx problem, nothing accepted.
                return (int)response.StatusCode is >= 400 and < 500;
            }
            var result = response.Content.ReadFromJsonAsync<IngestResult>().GetAwaiter().GetResult()!;
            var good = list.Select((t, i) => (t, i)).Where(x => x.t is null).Select(x => x.i).ToHashSet();
            return result.Rejected.All(r => !good.Contains(r.Index)) && result.Accepted + result.Rejected.Count == texts.Count;
        }));
    }

    [Fact]
    public async Task EventsAcceptedFromHostileInputApplyToTheGrainsWithoutPoisoningThem()
    {
        var parser = new EventParser(TimeProvider.System, TestSecrets.Pseudonyms);
        var tenant = ClusterFixture.NewTenant();
        var accepted = Gen.Sample(HostileJson, 2_000)
            .Select(text =>
            {
                try
                {
                    using var document = JsonDocument.Parse(text);
                    return parser.ParseSegment(document.RootElement, EventType.Track, tenant).Event
                        ?? parser.ParseCheckIn(document.RootElement, tenant).Event
                        ?? parser.ParseOrder(document.RootElement, tenant).Event;
                }
                catch (JsonException)
                {
                    return null;
                }
            })
            .OfType<CustomerEvent>()
            .ToList();
        accepted.Count.ShouldBeGreaterThan(20, "the generator should produce some valid events among the hostile ones");

        foreach (var chunk in accepted.Chunk(50))
        {
            await cluster.Applier.ApplyAsync(chunk);
        }
        // Applying them all again is harmless, and the people they name can be read.
        var (_, duplicates) = await cluster.Applier.ApplyAsync(accepted);
        duplicates.ShouldBeGreaterThan(0, "the profiles remember what they applied");
        foreach (var e in accepted.Where(e => e.UserId is not null).Take(20))
        {
            var owner = await cluster.Grains.Identity(IdentityKey.Of(tenant, new Identifier(IdentifierKind.UserId, e.UserId!), TestSecrets.Pseudonyms)).GetProfileAsync();
            owner.ShouldNotBeNull();
            (await cluster.Grains.GetGrain<O2O.Grains.Profiles.ICustomerGrain>(O2O.Grains.TenantKey.Compose(tenant, owner)).GetAsync()).ShouldNotBeNull();
        }
    }

    /// <summary>What a grain needs of an event: a bounded id, a sane time, finite numbers, and a wire form that reads back.</summary>
    private static bool IsHoldable(CustomerEvent e) =>
        e.MessageId.Length is > 0 and <= 200
        && e.Timestamp.Year >= 2000 && e.Timestamp <= DateTimeOffset.UtcNow.AddDays(2)
        && (e.DurationSeconds is null || double.IsFinite(e.DurationSeconds.Value))
        && EventJson.TryDeserialize(EventJson.Serialize(e), out var back, out _) && back!.MessageId == e.MessageId;
}
