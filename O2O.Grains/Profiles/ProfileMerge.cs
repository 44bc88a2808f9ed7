namespace O2O.Grains.Profiles;

/// <summary>
/// Merges one profile into another without two merges ever waiting on each other. A merge holds
/// one profile while it calls the other; two events naming each other's identifiers at once (two
/// devices of a person linked both ways) would pull A into B and B into A, each holding its own
/// profile and waiting for the other's until the call timed out. So a merge is always driven from
/// the profile whose id sorts first, whichever way the history moves: the lower id only ever waits
/// for the higher, and no circle of waits can form.
/// </summary>
public static class ProfileMerge
{
    /// <summary>
    /// Pulls <paramref name="sourceProfileId"/> into <paramref name="targetProfileId"/>. False when
    /// the source is identified, or either side was merged elsewhere meanwhile.
    /// </summary>
    public static Task<bool> MergeAsync(IGrainFactory grains, string tenant, string targetProfileId, string sourceProfileId) =>
        string.CompareOrdinal(targetProfileId, sourceProfileId) <= 0
            ? grains.Get<ICustomerGrain>(TenantKey.Compose(tenant, targetProfileId)).MergeFromAsync(sourceProfileId)
            : grains.Get<ICustomerGrain>(TenantKey.Compose(tenant, sourceProfileId)).MergeIntoAsync(targetProfileId);
}
