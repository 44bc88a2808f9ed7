using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using O2O.Grains;
using O2O.Grains.Privacy;
using O2O.Grains.Segments;
using O2O.Tests.Infrastructure;
using Orleans.Storage;
using Orleans.TestingHost;

namespace O2O.Tests.Grains;

/// <summary>
/// A real one-silo test cluster whose index rows are small (<see cref="RowCapacity"/> ids) and
/// whose writes are paced (<see cref="WriteSpacing"/>), with every grain write counted and recorded
/// (<see cref="RecordingStorage"/> over Orleans' in-memory storage).
/// </summary>
public sealed class IndexCluster() : GrainTestCluster<IndexCluster.SiloConfigurator>(1, Clock)
{
    public const int RowCapacity = 10;
    public static readonly TimeSpan WriteSpacing = TimeSpan.FromMilliseconds(200);
    public static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.FromHours(7)));

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            foreach (var name in StorageNames.All)
            {
                silo.AddMemoryGrainStorage("inner-" + name);
                silo.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new RecordingStorage(sp.GetRequiredKeyedService<IGrainStorage>("inner-" + name)));
            }
            silo.UseInMemoryReminderService();
            silo.ConfigureServices(services =>
            {
                services.AddTestClock(Clock);
                services.AddO2OGrainOptions();
                services.Configure<PrivacyOptions>(o => o.PseudonymSecret = TestSecrets.PseudonymSecret);
                services.Configure<IndexOptions>(o =>
                {
                    o.RowCapacity = RowCapacity;
                    o.WriteSpacing = WriteSpacing;
                });
            });
        }
    }
}

/// <summary>
/// Grain storage that passes everything to Orleans' in-memory storage and records, per grain, how
/// many writes and clears it stored and which ids the last stored index row held (copied when the
/// write completed, so a test sees what storage had, not the grain's live set).
/// </summary>
public sealed class RecordingStorage(IGrainStorage inner) : IGrainStorage
{
    public sealed record Row(int Writes, int Clears, string[]? Ids);

    private static readonly ConcurrentDictionary<GrainId, Row> Rows = new();
    private static readonly ConcurrentDictionary<GrainId, int> ReadCounts = new();

    /// <summary>What storage holds and has seen for <paramref name="grain"/>: null when it was never written.</summary>
    public static Row? Of(GrainId grain) => Rows.TryGetValue(grain, out var row) ? row : null;

    /// <summary>How often <paramref name="grain"/>'s state was read (once per activation), found or not.</summary>
    public static int ReadsOf(GrainId grain) => ReadCounts.GetValueOrDefault(grain);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ReadCounts.AddOrUpdate(grainId, 1, (_, n) => n + 1);
        return inner.ReadStateAsync(stateName, grainId, grainState);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Copied before the write starts: a reentrant grain may add to its live set while the write is in flight.
        var ids = grainState.State switch
        {
            DueWheelState wheel => wheel.Members.ToArray(),
            RetentionDayState day => day.Profiles.ToArray(),
            _ => null,
        };
        await inner.WriteStateAsync(stateName, grainId, grainState);
        Rows.AddOrUpdate(grainId, _ => new Row(1, 0, ids), (_, r) => r with { Writes = r.Writes + 1, Ids = ids });
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await inner.ClearStateAsync(stateName, grainId, grainState);
        Rows.AddOrUpdate(grainId, _ => new Row(0, 1, null), (_, r) => r with { Clears = r.Clears + 1, Ids = null });
    }
}

[CollectionDefinition(Name)]
public sealed class IndexCollection : ICollectionFixture<IndexCluster>
{
    public const string Name = "index-rows";
}
