using O2O.Grains.Events;
using O2O.Grains.Identity;
using O2O.Grains.Ingestion;
using Orleans.TestingHost;

namespace O2O.Tests.Infrastructure;

/// <summary>
/// What every in-process test cluster fixture shares: a real Orleans test cluster of
/// <paramref name="silos"/> silos configured by <typeparamref name="TSilo"/>, and the event applier
/// the tests feed it through, on the fixture's fake clock.
/// </summary>
public abstract class GrainTestCluster<TSilo>(short silos, TimeProvider clock) : IAsyncLifetime
    where TSilo : ISiloConfigurator, new()
{
    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public EventApplier Applier { get; private set; } = null!;

    /// <summary>The resolver <see cref="Applier"/> resolves with, as one silo's: what it caches, it keeps until told.</summary>
    public IdentityResolver Resolver { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync()
    {
        var builder = new TestClusterBuilder(silos);
        builder.AddSiloBuilderConfigurator<TSilo>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        // Product grains register reminders on first use (the due wheels' clock, the retention sweep).
        await ReminderServiceReady.WaitAsync(Cluster);
        Resolver = new IdentityResolver(Cluster.Client, TestSecrets.Pseudonyms);
        Applier = new EventApplier(Cluster.Client, Resolver, clock);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    public Task<(int Applied, int Duplicates)> ApplyAsync(params CustomerEvent[] events) => Applier.ApplyAsync(events);
}
