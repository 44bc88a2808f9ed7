using Microsoft.Extensions.Options;
using O2O.Grains.Profiles;

namespace O2O.Grains.Leads;

[GenerateSerializer, Alias("o2o.lead-board-state")]
public sealed class LeadBoardState
{
    [Id(0)] public Dictionary<string, LeadSnapshot> Leads { get; set; } = [];
}

/// <inheritdoc cref="ILeadBoardGrain"/>
/// <remarks>
/// A board is a ranking that every batch refreshes, so it is written behind: at most once per
/// <see cref="LeadOptions.BoardWriteDelay"/>, not once per batch. After a crash it may miss the
/// last moments' changes until those people act again; the leads themselves live in profiles and routers.
/// </remarks>
public sealed class LeadBoardGrain(
    [PersistentState("board", StorageNames.Leads)] IPersistentState<LeadBoardState> state,
    IOptions<ScoringOptions> scoring,
    IOptions<LeadOptions> leadOptions,
    IOptions<StateWriteOptions> writes,
    TimeProvider clock) : Grain, ILeadBoardGrain
{
    private readonly StateWriter<LeadBoardState> _writer = new(state, StorageNames.Leads, writes);

    /// <summary>Leads kept per board; far more than anyone scrolls through.</summary>
    public const int Capacity = 200;

    public Task UpsertAsync(IReadOnlyList<LeadSnapshot> leads)
    {
        var board = state.State.Leads;
        foreach (var lead in leads)
        {
            board[lead.ProfileId] = lead;
        }
        // Trimming sorts the board, so let it run a quarter over capacity before cutting it back.
        if (board.Count > Capacity + Capacity / 4)
        {
            foreach (var cold in board.Values.Select(l => (l.ProfileId, Rank: Rank(l))).OrderByDescending(x => x.Rank).Skip(Capacity).ToList())
            {
                board.Remove(cold.ProfileId);
            }
        }
        _writer.WriteSoon(this, leadOptions.Value.BoardWriteDelay);
        return Task.CompletedTask;
    }

    public async Task RemoveAsync(string profileId)
    {
        if (state.State.Leads.Remove(profileId))
        {
            await state.WriteStateAsync();
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writer.DeactivatingAsync(reason, cancellationToken);

    public Task<IReadOnlyList<LeadSnapshot>> GetTopAsync(int take)
    {
        var now = clock.GetUtcNow();
        var halfLife = scoring.Value.HalfLife;
        IReadOnlyList<LeadSnapshot> top = [.. state.State.Leads.Values
            .Select(l => (Lead: l, Rank: Rank(l)))
            .OrderByDescending(x => x.Rank)
            .Take(take)
            .Select(x => x.Lead)
            .Select(l => l with { RawScore = Decayed(l, now, halfLife), AsOf = now })];
        return Task.FromResult(top);
    }

    /// <summary>
    /// Every score decays at the same rate, so leads rank by log2(score) + age in half-lives:
    /// the order is the order of their scores now, whenever now is, without overflow.
    /// </summary>
    private double Rank(LeadSnapshot l) =>
        Math.Log2(Math.Max(l.RawScore, 1e-9)) + l.AsOf.ToUnixTimeSeconds() / scoring.Value.HalfLife.TotalSeconds;

    private static double Decayed(LeadSnapshot l, DateTimeOffset now, TimeSpan halfLife) =>
        now > l.AsOf ? l.RawScore * Math.Pow(2, -(now - l.AsOf).TotalSeconds / halfLife.TotalSeconds) : l.RawScore;
}
