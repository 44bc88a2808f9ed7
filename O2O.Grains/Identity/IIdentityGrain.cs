namespace O2O.Grains.Identity;

/// <summary>
/// Maps one normalised identifier to the profile that owns it, or marks it suppressed.
/// Key: an <see cref="IdentityKey"/>, <c>{tenant}/{kind}:{keyed hash}</c>, for example
/// <c>shop/phone:3f9a…</c>: the phone itself is never part of the key.
/// </summary>
public interface IIdentityGrain : IGrainWithStringKey
{
    /// <summary>
    /// The owning profile id, or null when nobody has claimed this identifier (or it is suppressed). For
    /// an anonymous id with no row: the profile derived from it, which forwards to the person when the
    /// device joined another profile (ask that profile, e.g. <c>GetAsync</c>, for the person's own id).
    /// </summary>
    Task<string?> GetProfileAsync();

    /// <summary>Who owns the identifier, and whether its person was erased and must not come back.</summary>
    Task<IdentityOwner> GetOwnerAsync();

    /// <summary>
    /// Claims the identifier for <paramref name="profileId"/> unless already owned; returns the owner,
    /// or null when the identifier is suppressed.
    /// </summary>
    Task<string?> ClaimAsync(string profileId);

    /// <summary>Moves ownership from a merged profile to the one it merged into.</summary>
    Task ReassignAsync(string fromProfileId, string toProfileId);

    /// <summary>Frees the identifier (its anonymous profile expired); it may be claimed again.</summary>
    Task ReleaseAsync(string profileId);

    /// <summary>
    /// Puts the identifier on the suppression list (its person was erased): the owner is forgotten and
    /// events carrying it are dropped from now on. The grain key is the keyed hash, so the list holds no identifier in clear.
    /// </summary>
    Task SuppressAsync(string profileId, DateTimeOffset at);
}

/// <summary>The owner of an identifier; <see cref="SuppressedAt"/> is set once its person was erased.</summary>
[GenerateSerializer, Immutable, Alias("o2o.identity-owner")]
public sealed record IdentityOwner([property: Id(0)] string? ProfileId, [property: Id(1)] DateTimeOffset? SuppressedAt)
{
    public bool Suppressed => SuppressedAt is not null;
}

[GenerateSerializer, Alias("o2o.identity-state")]
public sealed class IdentityState
{
    [Id(0)] public string? ProfileId { get; set; }
    [Id(1)] public DateTimeOffset? SuppressedAt { get; set; }
}

/// <inheritdoc cref="IIdentityGrain"/>
/// <remarks>
/// An anonymous id belongs to the profile derived from its key (<see cref="IdentityKey.DerivedProfileId"/>)
/// without a row in storage: most anonymous visitors never identify, so their identity costs no write.
/// When the device joins another person, the derived profile is left as a forwarding note
/// (<see cref="Profiles.ICustomerGrain.DetachIntoAsync"/>) instead of a row here, and the
/// <see cref="IdentityResolver"/> asks that profile, not this grain, so a returning device costs no
/// identity read either. A row is written only when the id is suppressed (its person erased), and for
/// every other kind of identifier. Rows that name another owner written before this (a device joined
/// before its derived profile held anything) are still honoured: a derived profile that knows nothing
/// reads this grain's row from storage (<see cref="Profiles.ICustomerGrain.LocateDeviceAsync"/>), so a
/// new device activates no identity grain.
/// <para>
/// Once it has named an owner the grain deactivates: the <see cref="IdentityResolver"/> caches that
/// answer, so the grain would otherwise sit in memory (about 2 KB of Orleans activation each, two per
/// visitor) until collection age, asked nothing. Nothing it knows is held in memory only (a claim is
/// written before it answers; an anonymous id's derived owner needs no row), so deactivating loses
/// nothing; a resolver that no longer caches the answer pays one storage read. A claim it has just
/// written leaves at once (the claimant caches it, and calls queued behind the write go to the next
/// activation, which reads the claim and answers them); an owner it only read leaves after
/// <see cref="IdleFor"/>, so a burst of reads is answered by one activation.
/// Unowned and suppressed identifiers stay active: a claim follows the first, the second is asked for
/// every event that carries it.
/// </para>
/// </remarks>
public sealed class IdentityGrain(
    [PersistentState(IdentityGrain.StateName, StorageNames.Identities)] IPersistentState<IdentityState> state,
    TimeProvider clock) : Grain, IIdentityGrain
{
    /// <summary>The name of this grain's state in <see cref="StorageNames.Identities"/>.</summary>
    public const string StateName = "identity";

    /// <summary>
    /// How long an identity that named its owner stays in memory after its last call: long enough for a
    /// burst's queued calls, short enough that the activation every identifying visitor makes is gone
    /// before the collector moves it to its oldest generation (at 10 s, a third of the ingest path's
    /// bytes promoted there were these; bench/README.md, issue 20).
    /// </summary>
    private static readonly TimeSpan IdleFor = TimeSpan.FromSeconds(1);

    private string? _implicitOwner;
    private bool _implicitKnown;
    private IGrainTimer? _idle;
    private long _lastCall;

    /// <summary>
    /// The resolver that asked caches the owner, so the grain leaves memory once nobody has asked for
    /// <see cref="IdleFor"/> (not at once: under a burst of calls for one identifier, deactivating
    /// after each answer would forward the queued calls from one activation to the next until
    /// Orleans refuses them).
    /// </summary>
    private void LeaveWhenIdle()
    {
        _lastCall = clock.GetTimestamp();
        _idle ??= this.RegisterGrainTimer(_ =>
        {
            if (clock.GetElapsedTime(_lastCall) >= IdleFor)
            {
                DeactivateOnIdle();
            }
            return Task.CompletedTask;
        }, IdleFor, IdleFor);
    }

    /// <summary>Who owns the identifier: its row's profile, else (an anonymous id, not suppressed) its derived profile.</summary>
    private string? Owner => state.State.ProfileId ?? (state.State.SuppressedAt is null ? ImplicitOwner : null);

    private string? ImplicitOwner
    {
        get
        {
            if (!_implicitKnown)
            {
                var key = this.GetPrimaryKeyString();
                _implicitOwner = IdentityKey.Parse(key).Kind == IdentifierKind.Anonymous ? IdentityKey.DerivedProfileId(key) : null;
                _implicitKnown = true;
            }
            return _implicitOwner;
        }
    }

    public Task<string?> GetProfileAsync() => Task.FromResult(Owner);

    public Task<IdentityOwner> GetOwnerAsync()
    {
        var owner = new IdentityOwner(Owner, state.State.SuppressedAt);
        if (owner is { ProfileId: not null, Suppressed: false })
        {
            LeaveWhenIdle();
        }
        return Task.FromResult(owner);
    }

    public async Task<string?> ClaimAsync(string profileId)
    {
        if (state.State.SuppressedAt is not null)
        {
            return null;
        }
        if (Owner is { } owner)
        {
            LeaveWhenIdle();
            return owner;
        }
        state.State.ProfileId = profileId;
        await state.WriteStateAsync();
        // Stored, and cached by the claimant: the activation leaves now, before the collector copies it
        // out of its youngest generation (a fifth of the ingest path's promoted bytes; bench/README.md).
        DeactivateOnIdle();
        return profileId;
    }

    public async Task ReassignAsync(string fromProfileId, string toProfileId)
    {
        if (Owner == fromProfileId && fromProfileId != toProfileId)
        {
            state.State.ProfileId = toProfileId;
            await state.WriteStateAsync();
        }
    }

    public async Task ReleaseAsync(string profileId)
    {
        if (state.State.ProfileId == profileId && state.State.SuppressedAt is null)
        {
            await state.ClearStateAsync();
        }
    }

    public async Task SuppressAsync(string profileId, DateTimeOffset at)
    {
        // Only the row's owner may suppress it. An anonymous id with no row is suppressed by whichever
        // profile erases it: its derived profile is that profile or forwards to it (a merge leaves a
        // note there, not a row here), else the erased profile would not hold the id.
        if (state.State.SuppressedAt is not null || (state.State.ProfileId is { } owner && owner != profileId))
        {
            return;
        }
        state.State = new IdentityState { SuppressedAt = at };
        await state.WriteStateAsync();
    }
}
