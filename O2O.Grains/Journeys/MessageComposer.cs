using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Fluid;

namespace O2O.Grains.Journeys;

/// <summary>The person's fields a template can use, under Vietnamese names.</summary>
[GenerateSerializer, Immutable, Alias("o2o.message-contact")]
public sealed record MessageContact
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string? Email { get; init; }
    [Id(2)] public string? Phone { get; init; }
    [Id(3)] public string? ZaloId { get; init; }
    [Id(4)] public string? StoreId { get; init; }
    [Id(5)] public int Orders { get; init; }
    [Id(6)] public IReadOnlyDictionary<string, string> Traits { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The trait holding the person's Viber user id: a Viber bot can only message people who
    /// subscribed to it, by the id its webhook reported, never by phone number.
    /// </summary>
    public const string ViberIdTrait = "viber_id";

    /// <summary>The traits of the person's browser push subscription: its endpoint and keys (base64url).</summary>
    public const string WebPushEndpointTrait = "webpush_endpoint";
    public const string WebPushP256dhTrait = "webpush_p256dh";
    public const string WebPushAuthTrait = "webpush_auth";

    /// <summary>Vietnamese names put the given name last: "Nguyễn Văn An" is "An".</summary>
    public string? GivenName => Name?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } parts ? parts[^1] : null;

    public bool Reaches(MessageChannel channel) => channel switch
    {
        MessageChannel.Email => Email is not null,
        MessageChannel.Sms => Phone is not null,
        MessageChannel.Viber => Traits.ContainsKey(ViberIdTrait),
        MessageChannel.Zalo => Phone is not null || ZaloId is not null,
        MessageChannel.WebPush => Traits.ContainsKey(WebPushEndpointTrait) && Traits.ContainsKey(WebPushP256dhTrait) && Traits.ContainsKey(WebPushAuthTrait),
        _ => false,
    };
}

/// <summary>A message ready to go: text with tracked links and the links' real targets.</summary>
public sealed record ComposedMessage(string? Subject, string Body, IReadOnlyList<string> Links, string UnsubscribeUrl);

/// <summary>
/// Renders a step's Liquid template with the person's fields, replaces every link with a tracked
/// one and adds the unsubscribe link every message carries.
/// </summary>
public static partial class MessageComposer
{
    private static readonly FluidParser Parser = new();
    private static readonly ConcurrentDictionary<string, IFluidTemplate> Templates = new(StringComparer.Ordinal);

    public static ComposedMessage Compose(JourneyStep step, MessageContact contact, LinkTarget message, JourneyOptions o)
    {
        var viber = TrackedLinks.ViberUrl(o.PublicBaseUrl, TrackedLinks.Token(message with { Link = TrackedLinks.ViberSubscribe }, o.LinkKey));
        var subject = step.Subject is null ? null : Render(step.Subject, contact, viber);
        var body = Render(step.Body ?? "", contact, viber);
        var links = new List<string>();
        body = Url().Replace(body, m =>
        {
            var target = message with { Link = links.Count };
            links.Add(m.Value);
            return TrackedLinks.ClickUrl(o.PublicBaseUrl, TrackedLinks.Token(target, o.LinkKey));
        });
        var unsubscribe = TrackedLinks.UnsubscribeUrl(o.PublicBaseUrl, TrackedLinks.Token(message with { Link = TrackedLinks.Unsubscribe }, o.LinkKey));
        body += "\n\nHủy đăng ký nhận tin: " + unsubscribe;
        return new ComposedMessage(subject, body, links, unsubscribe);
    }

    /// <summary>Throws <see cref="ArgumentException"/> with the parser's message when a template does not parse.</summary>
    public static void CheckTemplate(string template)
    {
        if (!Parser.TryParse(template, out _, out var error))
        {
            throw new ArgumentException(error);
        }
    }

    private static string Render(string source, MessageContact c, string viberLink)
    {
        var template = Templates.GetOrAdd(source, s => Parser.TryParse(s, out var t, out var error) ? t : throw new ArgumentException(error));
        var context = new TemplateContext();
        context.SetValue("ho_ten", c.Name ?? "Quý khách");
        context.SetValue("ten", c.GivenName ?? "Quý khách");
        context.SetValue("cua_hang", c.StoreId ?? "");
        context.SetValue("so_don", c.Orders);
        // Opens the tenant's Viber bot naming this person, so subscribing there lets journeys reach them on Viber.
        context.SetValue("lien_viber", viberLink);
        return template.Render(context);
    }

    [GeneratedRegex(@"https?://[^\s""'<>]+", RegexOptions.CultureInvariant)]
    private static partial Regex Url();
}
