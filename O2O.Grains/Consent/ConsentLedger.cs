namespace O2O.Grains.Consent;

/// <summary>
/// A person's consent history, oldest first, and the decisions it implies. Append-only, so it proves
/// what the person agreed to at any moment. Pure: the customer grain keeps one in its state.
/// </summary>
[GenerateSerializer, Alias("o2o.consent-ledger")]
public sealed class ConsentLedger
{
    /// <summary>Records kept; older ones beyond this are dropped oldest first (far more than people change their minds).</summary>
    public const int Capacity = 500;

    [Id(0)] public List<ConsentRecord> History { get; set; } = [];

    /// <summary>Adds a decision; returns false when it repeats the latest one for the same purpose and channel.</summary>
    public bool Record(ConsentRecord record)
    {
        if (History.FindLast(r => r.Purpose == record.Purpose && r.Channel == record.Channel) is { } last
            && last.Granted == record.Granted && last.At == record.At && last.Source == record.Source && last.WordingVersion == record.WordingVersion)
        {
            return false;
        }
        // Events can arrive out of order: keep the history ordered by the time the person decided.
        var at = History.FindLastIndex(r => r.At <= record.At) + 1;
        History.Insert(at, record);
        if (History.Count > Capacity)
        {
            History.RemoveAt(0);
        }
        return true;
    }

    /// <summary>
    /// Whether <paramref name="purpose"/> is allowed on <paramref name="channel"/> now: the person's
    /// latest decision on that channel or on every channel of the purpose decides. No decision means no:
    /// silence is not consent.
    /// </summary>
    public ConsentDecision Check(ConsentPurpose purpose, ConsentChannel channel = ConsentChannel.All)
    {
        var basis = History.FindLast(r => r.Purpose == purpose && (r.Channel == channel || r.Channel == ConsentChannel.All));
        return basis is null ? ConsentDecision.NeverGiven : new ConsentDecision(basis.Granted, basis);
    }

    /// <summary>The current decision for every purpose and channel the person ever decided on.</summary>
    public IReadOnlyList<ConsentRecord> Current() =>
        [.. History.GroupBy(r => (r.Purpose, r.Channel)).Select(g => g.Last()).OrderBy(r => r.Purpose).ThenBy(r => r.Channel)];

    /// <summary>The channels marketing may use now, as a consultant's lead card shows them.</summary>
    public IReadOnlyList<ConsentChannel> MarketingChannels() =>
        [.. Enum.GetValues<ConsentChannel>().Where(c => c != ConsentChannel.All && Check(ConsentPurpose.Marketing, c).Allowed)];
}
