using Microsoft.Extensions.Options;

namespace O2O.Grains.Identification;

/// <inheritdoc cref="IOtpGrain"/>
public sealed class OtpGrain(
    [PersistentState("otp", StorageNames.MasterData)] IPersistentState<OtpState> state,
    IOptions<OtpOptions> options,
    TimeProvider clock) : Grain, IOtpGrain
{
    // Codes and attempt counts are written before answering whatever the storage: a lost count would reopen guessing.
    public async Task<OtpIssue> IssueAsync(string purpose)
    {
        var issue = OtpRules.Issue(state.State, purpose, clock.GetUtcNow(), options.Value);
        await state.WriteStateAsync();
        return issue;
    }

    public async Task<OtpCheck> VerifyAsync(string purpose, string code)
    {
        var check = OtpRules.Verify(state.State, purpose, code, clock.GetUtcNow(), options.Value);
        await state.WriteStateAsync();
        return check;
    }
}

[GenerateSerializer, Alias("o2o.rate-gate-state")]
public sealed class RateGateState
{
    [Id(0)] public List<DateTimeOffset> Taken { get; set; } = [];
}

/// <inheritdoc cref="IRateGateGrain"/>
public sealed class RateGateGrain(
    [PersistentState("rate", StorageNames.MasterData)] IPersistentState<RateGateState> state,
    TimeProvider clock) : Grain, IRateGateGrain
{
    public async Task<(bool Allowed, TimeSpan RetryAfter)> TryTakeAsync(int limit, TimeSpan window)
    {
        var now = clock.GetUtcNow();
        var taken = state.State.Taken;
        taken.RemoveAll(at => at <= now - window);
        if (taken.Count >= limit)
        {
            return (false, taken[0] + window - now);
        }
        taken.Add(now);
        await state.WriteStateAsync();
        return (true, TimeSpan.Zero);
    }
}
