namespace O2O.Grains.Messaging;

/// <summary>
/// A provider's own id for one of our messages (Viber's <c>message_token</c>), kept at send so its
/// delivery callbacks, which name only that id, find the message. Key: <c>{tenant}/{channel}:{provider id}</c>.
/// </summary>
public interface IProviderMessageGrain : IGrainWithStringKey
{
    Task SetAsync(string messageId);

    /// <summary>Our message id, or null for a provider id we never sent.</summary>
    Task<string?> GetAsync();
}
