using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using O2O.Api.Ingestion;
using O2O.Grains.Identity;
using O2O.Grains.Privacy;
using O2O.Tests.EventHubs;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Privacy;

/// <summary>Phones and emails never become keys or ids: grain keys, Event Hubs message keys, generated message ids.</summary>
public sealed class PseudonymTests(KafkaMockCluster kafka, ClusterFixture cluster)
{
    [Fact]
    public void IdentityKeysAreKeyedHashesThatALookupByPhoneComputesAgain()
    {
        var phone = new Identifier(IdentifierKind.Phone, "+84901234567");
        var key = IdentityKey.Of("shop", phone, TestSecrets.Pseudonyms);

        key.GrainKey.ShouldStartWith("shop/phone:");
        key.GrainKey.ShouldNotContain("901234567");
        IdentityKey.Parse(key.GrainKey).ShouldBe(key);
        IdentityKey.Of("shop", phone, TestSecrets.Pseudonyms).ShouldBe(key);
        // Keyed: without the secret, hashing every Vietnamese mobile number does not find it; and tenants differ.
        key.Pseudonym.ShouldNotStartWith(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(phone.ToString())))[..16]);
        IdentityKey.Of("other", phone, TestSecrets.Pseudonyms).Pseudonym.ShouldNotBe(key.Pseudonym);
    }

    [Fact]
    public void APseudonymIsTheDocumentedHmacWhicheverThreadComputesIt()
    {
        // Stored keys depend on these exact bytes: HMAC-SHA256 under the tenant's key (itself an HMAC of
        // "o2o-tenant:{tenant}" under the secret), its first 20 bytes in lower-case hex.
        static string Expected(string tenant, string value)
        {
            var tenantKey = HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestSecrets.PseudonymSecret), Encoding.UTF8.GetBytes("o2o-tenant:" + tenant));
            return Convert.ToHexStringLower(HMACSHA256.HashData(tenantKey, Encoding.UTF8.GetBytes(value))[..20]);
        }
        var values = Enumerable.Range(0, 2_000).Select(i => (Tenant: $"shop{i % 40}", Value: $"phone:+8490{i:D7}")).ToList();

        // Many threads at once, each reusing its own keyed HMACs; 40 tenants interleaved, more than a thread
        // keeps, so each thread also starts over again and again. And the allocation-free form.
        var computed = new string[values.Count];
        Parallel.For(0, values.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => computed[i] = TestSecrets.Pseudonyms.Of(values[i].Tenant, values[i].Value));
        Span<char> written = stackalloc char[Pseudonyms.Length];
        for (var i = 0; i < values.Count; i++)
        {
            computed[i].ShouldBe(Expected(values[i].Tenant, values[i].Value));
            TestSecrets.Pseudonyms.Write(values[i].Tenant, "phone", values[i].Value["phone:".Length..], written);
            written.ToString().ShouldBe(computed[i]);
        }
    }

    [Fact]
    public void AGeneratedCheckInMessageIdCarriesTheKeyedPseudonymNotTheShortUnsaltedHash()
    {
        var parser = new EventParser(TimeProvider.System, TestSecrets.Pseudonyms);
        using var json = JsonDocument.Parse("""{"storeId":"HCM01","method":"qr","phone":"0901234567","timestamp":"2026-11-20T10:00:00+07:00"}""");

        var (e, error) = parser.ParseCheckIn(json.RootElement, "shop");

        error.ShouldBeNull();
        e!.MessageId.ShouldContain(TestSecrets.Pseudonyms.Of("shop", "+84901234567"));
        e.MessageId.ShouldNotContain("901234567");
        // The old id: the first 8 bytes of an unsalted SHA-256, reversible by enumerating mobile numbers.
        e.MessageId.ShouldNotContain(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("+84901234567")).AsSpan(0, 8)));
    }

    [Fact]
    public async Task EventHubsMessageKeysCarryNoPhoneOrEmail()
    {
        await using var hub = new EventHubsHarness(kafka, cluster, "keys");
        var make = new EventMaker(ClusterFixture.NewTenant());
        var phones = Enumerable.Range(0, 20).Select(i => $"+8490{i:D2}{Random.Shared.Next(10_000, 99_999)}").ToList();
        var events = phones.Select(p => make.CheckIn("HCM01", p))
            .Concat(phones.Select((p, i) => make.Order("HCM01", null, 100_000) with { Email = $"khach{i}.{p[^5..]}@example.vn" }))
            .ToList();
        await hub.PublishAsync(events);

        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = "scan-" + Guid.NewGuid().ToString("N")[..8],
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe(hub.Hub);
        var keys = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (keys.Count < events.Count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { Message: { } message })
            {
                keys.Add(message.Key);
            }
        }

        keys.Count.ShouldBe(events.Count);
        foreach (var key in keys)
        {
            var subscribers = phones.Select(p => p[3..]).ToList();
            subscribers.ShouldNotContain(s => key.Contains(s, StringComparison.Ordinal));
            key.ShouldNotContain("@");
            key.Length.ShouldBe(40);
        }
        keys.ShouldContain(TestSecrets.Pseudonyms.Of(make.Tenant, phones[0]));
    }
}
