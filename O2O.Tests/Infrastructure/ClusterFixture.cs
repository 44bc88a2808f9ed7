using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using O2O.Grains;
using O2O.Grains.Events;
using Orleans.TestingHost;

[assembly: AssemblyFixture(typeof(O2O.Tests.Infrastructure.ClusterFixture))]

namespace O2O.Tests.Infrastructure;

/// <summary>
/// One real Orleans test cluster (two silos, in-memory storage) for the whole test run, with a
/// fake clock the tests move by hand. Tests isolate themselves with a tenant of their own.
/// </summary>
public sealed class ClusterFixture() : GrainTestCluster<ClusterFixture.SiloConfigurator>(2, Clock)
{
    public static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.FromHours(7)));

    /// <summary>A tenant no other test uses.</summary>
    public static string NewTenant() => "t" + Guid.NewGuid().ToString("N")[..10];

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            foreach (var name in StorageNames.All)
            {
                silo.AddMemoryGrainStorage(name);
            }
            // Injected faults first, outside the product's own filter: they stand for the network, not the grain.
            silo.AddIncomingGrainCallFilter<GrainFaultFilter>();
            silo.AddIncomingGrainCallFilter<DropActivationOnFailure>();
            silo.UseInMemoryReminderService();
            silo.ConfigureServices(services =>
            {
                services.AddTestClock(Clock);
                services.AddO2OGrainOptions();
                services.Configure<O2O.Grains.Privacy.PrivacyOptions>(o => o.PseudonymSecret = TestSecrets.PseudonymSecret);
            });
        }
    }
}

/// <summary>Builds events the way the edge would after validation.</summary>
public sealed class EventMaker(string tenant, TimeProvider? clock = null)
{
    private int _n;

    public string Tenant { get; } = tenant;

    public DateTimeOffset Now => (clock ?? ClusterFixture.Clock).GetUtcNow();

    public CustomerEvent Make(EventType type, string? anonymousId = null, string? name = null) => new()
    {
        MessageId = $"m{Interlocked.Increment(ref _n)}-{Guid.NewGuid():N}",
        Tenant = Tenant,
        Type = type,
        Name = name,
        AnonymousId = anonymousId,
        Timestamp = Now,
    };

    public CustomerEvent Page(string anonymousId, string path, AdTouch? touch = null, double? seconds = null) =>
        Make(EventType.Page, anonymousId) with { Path = path, Touch = touch, DurationSeconds = seconds };

    public CustomerEvent Track(string anonymousId, string name) => Make(EventType.Track, anonymousId, name);

    public CustomerEvent Identify(string anonymousId, string? phone, string? name = null, string? userId = null) =>
        Make(EventType.Identify, anonymousId) with
        {
            Phone = phone,
            UserId = userId,
            Traits = name is null ? null : new Dictionary<string, string> { ["name"] = name },
        };

    public CustomerEvent CheckIn(string store, string phone, CheckInMethod method = CheckInMethod.Qr) =>
        Make(EventType.CheckIn) with { StoreId = store, Phone = phone, CheckInMethod = method };

    public CustomerEvent Order(string store, string? phone, long total, string? orderId = null) =>
        Make(EventType.Order, name: SegmentEvents.OrderCompleted) with
        {
            StoreId = store,
            Phone = phone,
            Order = new OrderInfo { OrderId = orderId ?? Guid.NewGuid().ToString("N")[..8], Source = OrderSource.Pos, Total = total },
        };
}
