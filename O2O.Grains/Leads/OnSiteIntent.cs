using System.ComponentModel.DataAnnotations;

namespace O2O.Grains.Leads;

/// <summary>What the website should show a visitor now.</summary>
public enum IntentAction : byte
{
    None = 0,
    Chat = 1,
    Call = 2,
}

/// <summary>On-site intent rules (section <c>O2O:Intent</c>).</summary>
public sealed class IntentOptions
{
    public const string Section = "O2O:Intent";

    /// <summary>Prompts one browsing session sees at most, so no one is nagged.</summary>
    [Range(0, 10)] public int MaxPromptsPerSession { get; set; } = 1;

    /// <summary>Pages in this session that show interest enough for a chat.</summary>
    [Range(1, 100)] public int ChatAfterPages { get; set; } = 4;

    /// <summary>Seconds on site in this session that show interest enough for a chat.</summary>
    [Range(1, 36_000)] public int ChatAfterSeconds { get; set; } = 180;

    /// <summary>A lead score at which a call beats a chat.</summary>
    [Range(1, 100)] public int CallAtScore { get; set; } = 60;

    /// <summary>A lead score that makes a chat worth offering even early in the session.</summary>
    [Range(1, 100)] public int ChatAtScore { get; set; } = 30;
}

/// <summary>Decides whether to prompt a visitor, and with what. Pure.</summary>
public static class OnSiteIntent
{
    public static (IntentAction Action, string Reason) Decide(int pagesViewed, int secondsOnSite, int score, int promptsShown, bool consultantAvailable, IntentOptions o)
    {
        if (promptsShown >= o.MaxPromptsPerSession)
        {
            return (IntentAction.None, "already prompted in this session");
        }
        if (!consultantAvailable)
        {
            return (IntentAction.None, "no consultant available");
        }
        if (score >= o.CallAtScore)
        {
            return (IntentAction.Call, $"hot lead (score {score})");
        }
        if (score >= o.ChatAtScore)
        {
            return (IntentAction.Chat, $"warm lead (score {score})");
        }
        if (pagesViewed >= o.ChatAfterPages)
        {
            return (IntentAction.Chat, $"{pagesViewed} pages viewed");
        }
        if (secondsOnSite >= o.ChatAfterSeconds)
        {
            return (IntentAction.Chat, $"{secondsOnSite / 60} minutes on site");
        }
        return (IntentAction.None, "not enough interest yet");
    }
}

/// <summary>Counts the prompts one browsing session has seen. Key: <c>{tenant}/{sessionId}</c>.</summary>
public interface IIntentSessionGrain : IGrainWithStringKey
{
    /// <summary>How many prompts this session has seen.</summary>
    Task<int> GetPromptsAsync();

    /// <summary>Counts one more prompt.</summary>
    Task PromptedAsync();
}

/// <inheritdoc cref="IIntentSessionGrain"/>
/// <remarks>In memory only: a session lives minutes, and forgetting it after a silo restart costs one extra prompt at most.</remarks>
public sealed class IntentSessionGrain : Grain, IIntentSessionGrain
{
    private int _prompts;

    public Task<int> GetPromptsAsync() => Task.FromResult(_prompts);

    public Task PromptedAsync()
    {
        _prompts++;
        return Task.CompletedTask;
    }
}
