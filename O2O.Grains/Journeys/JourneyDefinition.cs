using System.Text.Json.Serialization;

namespace O2O.Grains.Journeys;

/// <summary>A channel a message can go out on.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MessageChannel>))]
public enum MessageChannel : byte
{
    /// <summary>Whichever channel works best for the person (their master channel).</summary>
    Master = 0,
    Email = 1,
    Sms = 2,
    Zalo = 3,
    Viber = 4,
    WebPush = 5,
}

[JsonConverter(typeof(JsonStringEnumConverter<StepType>))]
public enum StepType : byte
{
    Send = 1,
    Wait = 2,
    Branch = 3,
    /// <summary>Puts the person back on the lead feed as a lead (restart the funnel), then goes on.</summary>
    RestartFunnel = 4,
    End = 5,
}

/// <summary>What a branch looks at: the person's response since the last message.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Response>))]
public enum Response : byte
{
    Nothing = 0,
    Clicked = 1,
    Replied = 2,
    VisitedStore = 3,
    Purchased = 4,
}

/// <summary>What ends a journey as a success.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JourneyGoal>))]
public enum JourneyGoal : byte
{
    None = 0,
    StoreVisit = 1,
    Purchase = 2,
}

/// <summary>Who enters: everyone who enters a segment, or everyone who sends a track event.</summary>
[GenerateSerializer, Immutable, Alias("o2o.journey-audience")]
public sealed record JourneyAudience
{
    /// <summary>Segment slug (<c>churn-risk</c>, <c>potential</c>, ...).</summary>
    [Id(0)] public string? Segment { get; init; }
    /// <summary>Track event name (<c>Product Added</c>, ...).</summary>
    [Id(1)] public string? Event { get; init; }
}

/// <summary>One branch: on this response, go to that step.</summary>
[GenerateSerializer, Immutable, Alias("o2o.journey-branch")]
public sealed record BranchRule
{
    [Id(0)] public Response On { get; init; }
    [Id(1)] public required string GoTo { get; init; }
}

/// <summary>One step of a journey.</summary>
[GenerateSerializer, Immutable, Alias("o2o.journey-step")]
public sealed record JourneyStep
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public StepType Type { get; init; }
    /// <summary>Send: the channel, or <see cref="MessageChannel.Master"/>.</summary>
    [Id(2)] public MessageChannel Channel { get; init; }
    /// <summary>Send: subject (email, web push title). Liquid template like the body.</summary>
    [Id(3)] public string? Subject { get; init; }
    /// <summary>
    /// Send: a Liquid template with the person's fields (<c>{{ ten }}</c>, <c>{{ ho_ten }}</c>,
    /// <c>{{ cua_hang }}</c>, <c>{{ so_don }}</c>, <c>{{ lien_viber }}</c>: the link that opens the Viber bot as this person).
    /// Every http(s) link in it becomes a tracked link.
    /// </summary>
    [Id(4)] public string? Body { get; init; }
    /// <summary>Wait: how long, e.g. <c>2.00:00:00</c>.</summary>
    [Id(5)] public TimeSpan? Duration { get; init; }
    /// <summary>Branch: the first rule whose response happened since the last message wins; none: the next step.</summary>
    [Id(6)] public IReadOnlyList<BranchRule> Branches { get; init; } = [];
    /// <summary>Send: message cost override in VND (otherwise the channel's cost).</summary>
    [Id(7)] public long? Cost { get; init; }
    /// <summary>Send on Zalo: the approved ZNS template (parameters <c>customer_name</c>, <c>content</c>, <c>link</c>); none: the tenant's default.</summary>
    [Id(8)] public string? TemplateId { get; init; }
}

/// <summary>A nurture journey as a marketer writes it (JSON through the API and the dashboard).</summary>
[GenerateSerializer, Immutable, Alias("o2o.journey-definition")]
public sealed record JourneyDefinition
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public bool Active { get; init; }
    [Id(3)] public required JourneyAudience Audience { get; init; }
    [Id(4)] public required IReadOnlyList<JourneyStep> Steps { get; init; }
    [Id(5)] public JourneyGoal Goal { get; init; }
    /// <summary>Messages in a row with no response after which the person is given up on.</summary>
    [Id(6)] public int GiveUpAfter { get; init; } = 3;
    /// <summary>Clicks in this journey that show high interest: the person goes back on the lead feed. 0: never.</summary>
    [Id(7)] public int RestartFunnelAfterClicks { get; init; }
    /// <summary>Bumped on every save.</summary>
    [Id(8)] public int Version { get; init; }

    public int IndexOf(string stepId)
    {
        for (var i = 0; i < Steps.Count; i++)
        {
            if (Steps[i].Id == stepId)
            {
                return i;
            }
        }
        return -1;
    }
}

/// <summary>Checks a journey a marketer wrote. Pure.</summary>
public static class JourneyValidation
{
    public static Dictionary<string, string[]> Validate(JourneyDefinition j)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field) ?? [], message];
        if (string.IsNullOrWhiteSpace(j.Id) || j.Id.Length > 64 || !j.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            Add("id", "1-64 letters, digits, '-' or '_'.");
        }
        if (string.IsNullOrWhiteSpace(j.Name))
        {
            Add("name", "Required.");
        }
        var bySegment = j.Audience?.Segment is { } slug;
        var byEvent = !string.IsNullOrWhiteSpace(j.Audience?.Event);
        if (bySegment == byEvent)
        {
            Add("audience", "Give exactly one of audience.segment or audience.event.");
        }
        else if (bySegment && !Segments.SegmentCatalog.TryParse(j.Audience!.Segment, out _))
        {
            Add("audience.segment", $"Unknown segment; one of {string.Join(", ", Segments.SegmentCatalog.All.Select(Segments.SegmentCatalog.Slug))}.");
        }
        if (j.Steps is null || j.Steps.Count == 0)
        {
            Add("steps", "At least one step.");
            return errors;
        }
        if (j.Steps.Count > 50)
        {
            Add("steps", "At most 50 steps.");
        }
        if (j.GiveUpAfter is < 1 or > 20)
        {
            Add("giveUpAfter", "1 to 20 messages.");
        }
        if (j.RestartFunnelAfterClicks is < 0 or > 20)
        {
            Add("restartFunnelAfterClicks", "0 (never) to 20.");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < j.Steps.Count; i++)
        {
            var s = j.Steps[i];
            var field = $"steps[{i}]";
            if (string.IsNullOrWhiteSpace(s.Id) || !ids.Add(s.Id))
            {
                Add(field + ".id", "Required and unique.");
            }
            switch (s.Type)
            {
                case StepType.Send when string.IsNullOrWhiteSpace(s.Body):
                    Add(field + ".body", "A send step needs a body.");
                    break;
                case StepType.Send when !Enum.IsDefined(s.Channel):
                    Add(field + ".channel", "Unknown channel.");
                    break;
                case StepType.Send when s.Cost is < 0:
                    Add(field + ".cost", "Not negative.");
                    break;
                case StepType.Wait when s.Duration is not { } d || d < TimeSpan.FromMinutes(1) || d > TimeSpan.FromDays(365):
                    Add(field + ".duration", "A wait of 1 minute to 365 days (e.g. \"2.00:00:00\").");
                    break;
                case StepType.Branch when s.Branches.Count == 0:
                    Add(field + ".branches", "A branch needs at least one rule.");
                    break;
                case 0 or > StepType.End:
                    Add(field + ".type", "One of Send, Wait, Branch, RestartFunnel, End.");
                    break;
            }
        }
        for (var i = 0; i < j.Steps.Count; i++)
        {
            for (var b = 0; b < j.Steps[i].Branches.Count; b++)
            {
                if (!ids.Contains(j.Steps[i].Branches[b].GoTo))
                {
                    Add($"steps[{i}].branches[{b}].goTo", "Names no step of this journey.");
                }
            }
        }
        return errors;
    }
}
