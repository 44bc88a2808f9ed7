using System.Text.Json;
using O2O.Api.Ingestion;
using O2O.Grains;
using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Profiles;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Ingestion;

/// <summary>
/// What the ingest hot path does to save allocations and memory still gives the same answers: the
/// parser builds each event once (trace included), ad tags are shared and normalised, grain references
/// built from remembered types are the ones Orleans builds, and identity grains that deactivate once
/// they named an owner still name it from storage.
/// </summary>
// Alone beside the tests that move the shared clock: the silos' timers run on it.
[Collection(typeof(O2O.Tests.Leads.SharedClockCollection))]
public sealed class HotPathTests(ClusterFixture cluster)
{
    private const string Trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private readonly EventParser _parser = new(ClusterFixture.Clock, TestSecrets.Pseudonyms);

    private CustomerEvent Parse(string json, string? traceParent = null)
    {
        using var document = JsonDocument.Parse(json);
        var (e, error) = _parser.ParseSegment(document.RootElement, null, "shop", traceParent);
        error.ShouldBeNull();
        return e.ShouldNotBeNull();
    }

    private string At => ClusterFixture.Clock.GetUtcNow().ToString("O");

    [Fact]
    public void ABatchedEventCarriesTheRequestTrace()
    {
        Parse($$$"""{"type":"page","anonymousId":"a1","messageId":"m1","timestamp":"{{{At}}}","properties":{"path":"/"}}""", Trace)
            .TraceParent.ShouldBe(Trace);
        Parse($$$"""{"type":"page","anonymousId":"a1","messageId":"m2","timestamp":"{{{At}}}","properties":{"path":"/"}}""")
            .TraceParent.ShouldBeNull();
    }

    [Fact]
    public void AdTagsFromTheUrlAreLowerCasedWhereTheyWereAndSharedBetweenPeople()
    {
        var url = "https://shop.vn/?utm_source=FaceBook&utm_medium=paid_social&utm_campaign=Tet_Sale&utm_content=v1&fbclid=IwAR1";
        var first = Parse($$$"""{"type":"page","anonymousId":"a1","messageId":"m1","timestamp":"{{{At}}}","context":{"page":{"url":"{{{url}}}"} } }""").Touch.ShouldNotBeNull();
        var second = Parse($$$"""{"type":"page","anonymousId":"a2","messageId":"m2","timestamp":"{{{At}}}","context":{"page":{"url":"{{{url}}}"} } }""").Touch.ShouldNotBeNull();

        first.Source.ShouldBe("facebook");
        first.Medium.ShouldBe("paid_social");
        first.Campaign.ShouldBe("Tet_Sale");
        first.Content.ShouldBe("v1");
        first.ClickIdType.ShouldBe("fbclid");
        first.ClickId.ShouldBe("IwAR1");
        ReferenceEquals(first.Source, second.Source).ShouldBeTrue();
        ReferenceEquals(first.Campaign, second.Campaign).ShouldBeTrue();
    }

    [Fact]
    public void AClickIdOnlyInThePropertiesIsKept()
    {
        var touch = Parse($$$"""{"type":"track","event":"Ad Viewed","anonymousId":"a1","messageId":"m1","timestamp":"{{{At}}}","properties":{"utm_source":"tiktok","ttclid":"tt-9"}}""")
            .Touch.ShouldNotBeNull();

        touch.Source.ShouldBe("tiktok");
        touch.ClickIdType.ShouldBe("ttclid");
        touch.ClickId.ShouldBe("tt-9");
    }

    [Fact]
    public void AnEventThatNamesNoAdHasNoTouch()
    {
        Parse($$$"""{"type":"page","anonymousId":"a1","messageId":"m1","timestamp":"{{{At}}}","properties":{"path":"/san-pham"}}""").Touch.ShouldBeNull();
        Parse($$$"""{"type":"identify","anonymousId":"a1","messageId":"m2","timestamp":"{{{At}}}","traits":{"name":"Mai"}}""").Touch.ShouldBeNull();
    }

    [Theory]
    [InlineData(IdentifierKind.Anonymous, "p-123")]
    [InlineData(IdentifierKind.Phone, "+84901234567")]
    [InlineData(IdentifierKind.Email, "mai.tran@ví-dụ.vn")]
    [InlineData(IdentifierKind.UserId, "\ud800lone")]
    public void AnIdentityKeyWrittenOnTheStackIsTheGrainKey(IdentifierKind kind, string value)
    {
        Span<char> key = stackalloc char[1024];
        foreach (var id in new[] { new Identifier(kind, value), new Identifier(kind, value + new string('x', 600)) })
        {
            IdentityKey.TryWrite("shop", id, TestSecrets.Pseudonyms, key, out var length).ShouldBeTrue();
            key[..length].ToString().ShouldBe(IdentityKey.Of("shop", id, TestSecrets.Pseudonyms).GrainKey);
        }
        IdentityKey.TryWrite(new string('t', 300), new Identifier(kind, value), TestSecrets.Pseudonyms, stackalloc char[256], out _).ShouldBeFalse();
    }

    [Fact]
    public void AProfileReferenceAllocatesAFewHundredBytes()
    {
        // Orleans builds a proxy per reference, with a copier for every argument type that must be deep
        // copied. A method taking a mutable ProfileState made each reference build that state's whole
        // copier tree by reflection: 2.4 KB more per event on the ingest path. Bytes, not time, so the
        // figure holds on a busy machine.
        var tenant = ClusterFixture.NewTenant();
        cluster.Grains.Get<ICustomerGrain>(TenantKey.Compose(tenant, "p_warm"));
        var keys = Enumerable.Range(0, 100).Select(i => TenantKey.Compose(tenant, $"p_alloc{i}")).ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var key in keys)
        {
            cluster.Grains.Get<ICustomerGrain>(key);
        }
        var perReference = (GC.GetAllocatedBytesForCurrentThread() - before) / keys.Length;

        perReference.ShouldBeLessThan(1_000, $"{perReference} bytes per reference");
    }

    [Fact]
    public async Task AReferenceBuiltFromRememberedTypesIsTheOneOrleansBuilds()
    {
        var key = TenantKey.Compose(ClusterFixture.NewTenant(), "p_reference");
        cluster.Grains.Get<ICustomerGrain>(key); // remembers the types
        var remembered = cluster.Grains.Get<ICustomerGrain>(key);
        var built = cluster.Grains.GetGrain<ICustomerGrain>(key);

        remembered.ShouldBe(built);
        remembered.GetGrainId().ShouldBe(built.GetGrainId());
        (await remembered.GetAsync()).ShouldBeNull();
        Should.Throw<ArgumentException>(() => cluster.Grains.Get<ICustomerGrain>(" "));
    }

    [Fact]
    public async Task AnIdentityGrainThatNamedItsOwnerLeavesMemoryAndStillNamesItFromStorage()
    {
        var make = new EventMaker(ClusterFixture.NewTenant());
        const string phone = "+84907770001";
        await cluster.ApplyAsync(make.Page("anon-hot-1", "/"), make.Identify("anon-hot-1", phone, "Lê Văn Hải"));
        var resolver = new IdentityResolver(cluster.Grains, TestSecrets.Pseudonyms);
        var phoneGrain = cluster.Grains.Get<IIdentityGrain>(resolver.KeyOf(make.Tenant, new Identifier(IdentifierKind.Phone, phone)));
        var owner = await phoneGrain.GetProfileAsync();
        owner.ShouldNotBeNull();

        // Asked once more (an owner named), it deactivates once idle: the resolver that asked caches the answer.
        (await phoneGrain.GetOwnerAsync()).ProfileId.ShouldBe(owner);
        ClusterFixture.Clock.Advance(TimeSpan.FromSeconds(25));
        var management = cluster.Grains.GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        // Every silo's catalog is asked. (GetActivationAddress answers from the asking silo's directory
        // cache first, which may keep the address of an activation that has left: the test then waited
        // out its 30 s in half the runs it made alone.)
        var phoneId = phoneGrain.GetGrainId();
        while ((await management.GetActiveGrains(phoneId.Type)).Contains(phoneId))
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the identity grain never deactivated");
            // The idle check runs on a grain timer of the fake clock: time goes on passing while we wait,
            // so a tick that found the grain busy, or came before the last call, is followed by another.
            ClusterFixture.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50);
        }

        // A resolver with nothing cached reads the claim back from storage, and the next events land on the same person.
        var (resolved, _) = await resolver.ResolveAsync(make.Identify("anon-hot-2", phone));
        resolved.ShouldBe(owner);
        await cluster.ApplyAsync(make.Page("anon-hot-2", "/bang-gia"), make.Identify("anon-hot-2", phone));
        var view = (await cluster.Grains.GetGrain<ICustomerGrain>(TenantKey.Compose(make.Tenant, owner)).GetAsync()).ShouldNotBeNull();
        view.Totals.PageViews.ShouldBe(2);
    }
}
