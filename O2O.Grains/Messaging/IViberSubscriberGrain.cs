namespace O2O.Grains.Messaging;

/// <summary>
/// One Viber user as the tenant's bot knows them: the profile whose signed deep link they opened,
/// and whether they are subscribed (Viber names them only by this id in later callbacks).
/// Key: <c>{tenant}/{Viber user id}</c>.
/// </summary>
public interface IViberSubscriberGrain : IGrainWithStringKey
{
    /// <summary>The user opened the bot through the profile's signed link: later callbacks from them are about that profile.</summary>
    Task LinkAsync(string profileId);

    /// <summary>
    /// Records that the user subscribed (true) or unsubscribed (false). Returns the linked profile
    /// and whether this changed anything; no profile when the user never came through our link.
    /// </summary>
    Task<(string? ProfileId, bool Changed)> SetSubscribedAsync(bool subscribed);
}
