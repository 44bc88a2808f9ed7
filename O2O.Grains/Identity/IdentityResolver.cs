using O2O.Grains.Events;
using O2O.Grains.Privacy;
using O2O.Grains.Profiles;

namespace O2O.Grains.Identity;

/// <summary>
/// Finds the profile an event belongs to through its identifiers, creating or merging profiles
/// as needed. An anonymous profile that turns out to belong to a known person is merged into
/// them; two identified people are never merged: the event goes to the owner of its strongest
/// identifier and the conflicting identifier stays where it was.
/// An identifier on the suppression list (its person was erased) stops the whole event: it names
/// nobody, so no profile is created again.
/// </summary>
/// <remarks>
/// Identity grains are keyed by <see cref="IdentityKey"/> (keyed hashes), never by the identifier.
/// Resolved identifiers are cached: an identifier, once owned, only changes owner through a merge,
/// and a merged profile forwards to its successor, so a stale entry costs a redirect, never a wrong answer.
/// </remarks>
public sealed class IdentityResolver(IGrainFactory grains, Pseudonyms pseudonyms)
{
    /// <summary>Identifiers whose owners are remembered, at most (see <see cref="OwnerCache"/>).</summary>
    private const int CacheLimit = 200_000;
    /// <summary>How many merges' forwarding notes an anonymous id's owner is followed through before its identity grain is asked.</summary>
    private const int MaxForwards = 8;

    /// <summary>The tenant-keyed hashes identity grains are keyed by, for whatever else must name a person without their contact.</summary>
    public Pseudonyms Pseudonyms => pseudonyms;
    private readonly OwnerCache _cache = new(CacheLimit);

    /// <summary>
    /// The profile id for the event (null for an event that names nobody or carries a suppressed
    /// identifier), and the event to apply: the same one, less any identifier that belongs to another
    /// identified person.
    /// </summary>
    public async ValueTask<(string? ProfileId, CustomerEvent Event)> ResolveAsync(CustomerEvent e)
    {
        var ids = Identifier.From(e);
        if (ids.Count == 0)
        {
            return (null, e);
        }
        if (TryFromCache(e.Tenant, ids) is { } cached)
        {
            return (cached, e);
        }
        var keys = ids.ConvertAll(id => KeyOf(e.Tenant, id));

        // An anonymous id is asked of the profile derived from it, not of its identity grain: that is the
        // profile the event most likely goes to (so its read is no extra), and it tells the cache every
        // identifier the person holds, so a returning person's phone or email costs no read either.
        var located = new IdentityOwner?[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            if (ids[i].Kind == IdentifierKind.Anonymous && !_cache.TryGet(keys[i], out _))
            {
                var owner = await AnonymousOwnerAsync(e.Tenant, keys[i]);
                if (owner.Suppressed)
                {
                    return (null, e);
                }
                located[i] = owner;
            }
        }
        if (Array.Exists(located, o => o is not null) && TryFromCache(e.Tenant, ids) is { } placed)
        {
            return (placed, e);
        }

        // An identifier the cache already places is not asked again: a known visitor who identifies
        // costs the new identifier's grain only, not a reactivation of the device's. A cached owner that
        // disagrees with the person the event resolves to is checked with its grain below.
        // (An anonymous id its derived profile placed above is located, not cached.)
        var cachedOwners = keys.Select((k, i) => located[i] is null && _cache.TryGet(k, out var known) ? known : null).ToList();
        var found = await Task.WhenAll(keys.Select((k, i) => located[i] is { } asked
            ? Task.FromResult(asked)
            : cachedOwners[i] is { } known
            ? Task.FromResult(new IdentityOwner(known, null))
            : grains.Get<IIdentityGrain>(k).GetOwnerAsync()));
        if (Array.Exists(found, o => o.Suppressed))
        {
            return (null, e);
        }
        var owners = Array.ConvertAll(found, o => o.ProfileId);
        // The strongest identifier decides. Its owner if it has one, else whoever owns a weaker one,
        // else a new profile whose id derives from it, so a replay after a crash lands on the same one.
        var winner = Array.Find(owners, o => o is not null) ?? NewProfileId(keys[0]);
        // Claiming can lose a race to a concurrent event (a check-in by phone while the web form
        // identifies): then the profile that got the strongest identifier is the person.
        if ((owners[0] ?? await grains.Get<IIdentityGrain>(keys[0]).ClaimAsync(winner)) is not { } first)
        {
            return (null, e);
        }
        winner = first;

        var owned = new List<string>(keys.Count) { keys[0] };
        for (var k = 1; k < keys.Count; k++)
        {
            var owner = owners[k];
            if (owner is not null && owner != winner && cachedOwners[k] is not null)
            {
                // The cache may not know of a merge made elsewhere: the grain decides, as if nothing were cached.
                var fresh = ids[k].Kind == IdentifierKind.Anonymous
                    ? await AnonymousOwnerAsync(e.Tenant, keys[k])
                    : await grains.Get<IIdentityGrain>(keys[k]).GetOwnerAsync();
                owner = fresh.Suppressed ? null : fresh.ProfileId ?? await grains.Get<IIdentityGrain>(keys[k]).ClaimAsync(winner);
            }
            else
            {
                owner ??= await grains.Get<IIdentityGrain>(keys[k]).ClaimAsync(winner);
            }
            if (owner is null)
            {
                // Suppressed between the read and the claim: the erased person's identifier stays off this profile.
                e = Without(e, ids[k]);
            }
            else if (owner == winner)
            {
                owned.Add(keys[k]);
            }
            // Merges anonymous profiles only; the grain refuses to give up an identified one.
            else if (await ProfileMerge.MergeAsync(grains, e.Tenant, winner, owner))
            {
                // The merged profile may not have applied its own events yet (they can sit in this
                // same batch), so it cannot hand over an identifier it has not seen: move this one here.
                // (An anonymous id needs nothing moved: the merged profile now forwards here.)
                if (ids[k].IsStrong)
                {
                    await grains.Get<IIdentityGrain>(keys[k]).ReassignAsync(owner, winner);
                }
                owned.Add(keys[k]);
            }
            else
            {
                e = Without(e, ids[k]);
            }
        }
        Remember(owned, winner);
        return (winner, e);
    }

    /// <summary>
    /// The owner of an anonymous id, asked of the profile derived from it (<see cref="IdentityKey.DerivedProfileId"/>)
    /// and the forwarding notes of merges from there: the person's profile (whose identifiers are
    /// cached with it), or suppressed when it was erased. When the derived profile knows nothing (a new
    /// device, or one joined to a person by a row written before forwarding notes), it reads the id's
    /// identity row itself (<see cref="ICustomerGrain.LocateDeviceAsync"/>): the identity grain is not
    /// activated, so a new visitor costs one activation, the profile their first event goes to.
    /// (At the end of too long a chain of notes, the identity grain is asked, as for any other identifier.)
    /// </summary>
    private async Task<IdentityOwner> AnonymousOwnerAsync(string tenant, string key)
    {
        var profileId = IdentityKey.DerivedProfileId(key);
        for (var hop = 0; hop < MaxForwards; hop++)
        {
            var profile = grains.Get<ICustomerGrain>(TenantKey.Compose(tenant, profileId));
            var at = await (hop == 0 ? profile.LocateDeviceAsync(key) : profile.LocateAsync());
            if (at.ErasedAt is { } erased)
            {
                return new IdentityOwner(null, erased);
            }
            if (at.MergedInto is { } next)
            {
                profileId = next;
                continue;
            }
            if (!at.Known && hop == 0)
            {
                // A new device: its derived profile, which knows nothing yet, is its owner.
                return new IdentityOwner(profileId, null);
            }
            var keys = new List<string>(at.Identifiers.Length + 1) { key };
            foreach (var id in at.Identifiers)
            {
                keys.Add(KeyOf(tenant, id));
            }
            Remember(keys, profileId);
            return new IdentityOwner(profileId, null);
        }
        return await grains.Get<IIdentityGrain>(key).GetOwnerAsync();
    }

    /// <summary>Records that the profile now lives elsewhere (it was merged).</summary>
    public void Redirected(CustomerEvent e, string profileId) =>
        Remember(Identifier.From(e).ConvertAll(id => KeyOf(e.Tenant, id)), profileId);

    /// <summary>
    /// The events were placed on an erased profile, which applied none of them: this resolver had its
    /// owner cached from before the erasure (made on another silo, which forgot only its own cache), or
    /// an event was replayed. Forgets the events' identifiers, so the next event asks and finds them
    /// suppressed, and takes back any claim made for the erased profile on the way, since the event
    /// that brought it was dropped: an identifier it held when erased is suppressed, and stays so.
    /// </summary>
    public Task ErasedAsync(string tenant, string profileId, IReadOnlyList<CustomerEvent> events)
    {
        var ids = events.SelectMany(Identifier.From).Distinct().ToList();
        Forget(tenant, ids);
        // An anonymous id is claimed without a row (its derived profile owns it), so only the others can hold one.
        return Task.WhenAll(ids.Where(id => id.Kind != IdentifierKind.Anonymous)
            .Select(id => grains.Get<IIdentityGrain>(KeyOf(tenant, id)).ReleaseAsync(profileId)));
    }

    /// <summary>The identity grain key of <paramref name="id"/>: a keyed hash, never the identifier.</summary>
    public string KeyOf(string tenant, Identifier id) => IdentityKey.Of(tenant, id, pseudonyms).GrainKey;

    /// <summary>Forgets cached owners of these identifiers (their person was erased or expired).</summary>
    public void Forget(string tenant, IEnumerable<Identifier> ids)
    {
        foreach (var id in ids)
        {
            _cache.Remove(KeyOf(tenant, id));
        }
    }

    private static CustomerEvent Without(CustomerEvent e, Identifier id) => id.Kind switch
    {
        IdentifierKind.UserId => e with { UserId = null },
        IdentifierKind.Phone => e with { Phone = null },
        IdentifierKind.Email => e with { Email = null },
        IdentifierKind.Zalo => e with { ZaloId = null },
        _ => e.AnonymousId == id.Value ? e with { AnonymousId = null } : e with { PreviousId = null },
    };

    /// <summary>
    /// The profile every identifier is cached for, if they agree. Most events end here, so the keys are
    /// written on the stack and looked up as spans: no key strings are made for an event the cache answers.
    /// </summary>
    private string? TryFromCache(string tenant, List<Identifier> ids)
    {
        string? found = null;
        Span<char> key = stackalloc char[256];
        foreach (var id in ids)
        {
            var hit = IdentityKey.TryWrite(tenant, id, pseudonyms, key, out var length)
                ? _cache.TryGet(key[..length], out var profile)
                : _cache.TryGet(KeyOf(tenant, id), out profile);
            if (!hit || (found is not null && found != profile))
            {
                return null;
            }
            found = profile;
        }
        return found;
    }

    private void Remember(List<string> keys, string profileId)
    {
        foreach (var key in keys)
        {
            _cache.Set(key, profileId);
        }
    }

    private static string NewProfileId(string identifierKey) => IdentityKey.DerivedProfileId(identifierKey);
}
