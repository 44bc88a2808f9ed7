using System.Globalization;
using System.Text.Json;
using O2O.Grains.Events;
using O2O.Grains.Identity;

namespace O2O.Api.Ingestion;

/// <summary>A field that failed validation, named by its JSON path.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// Turns Segment-spec JSON (track, identify, page, screen, alias) and O2O's offline payloads
/// (check-ins, orders) into canonical <see cref="CustomerEvent"/>s, naming the field when it cannot.
/// </summary>
public sealed class EventParser(TimeProvider clock, Grains.Privacy.Pseudonyms pseudonyms)
{
    private const int MaxIdLength = 200;
    private const int MaxTraits = 64;
    private const int MaxTraitLength = 1_000;
    /// <summary>Any other text field (names, paths, URLs, categories, SKUs).</summary>
    private const int MaxTextLength = 2_000;
    private const double MaxDurationSeconds = 24 * 3600;
    /// <summary>No O2O data predates this; earlier timestamps are typos or defaults (year 1).</summary>
    private static readonly DateTimeOffset EarliestTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromDays(1);

    public static readonly IReadOnlyDictionary<string, EventType> SegmentTypes = new Dictionary<string, EventType>(StringComparer.OrdinalIgnoreCase)
    {
        ["track"] = EventType.Track,
        ["identify"] = EventType.Identify,
        ["page"] = EventType.Page,
        ["screen"] = EventType.Screen,
        ["alias"] = EventType.Alias,
        ["group"] = EventType.Group,
    };

    private static readonly Dictionary<string, CheckInMethod> Methods = new(StringComparer.OrdinalIgnoreCase)
    {
        ["qr"] = CheckInMethod.Qr,
        ["wifi"] = CheckInMethod.Wifi,
        ["pos"] = CheckInMethod.Pos,
        ["consultation"] = CheckInMethod.Consultation,
        ["product_qr"] = CheckInMethod.ProductQr,
    };

    private static readonly Dictionary<string, OrderSource> Sources = new(StringComparer.OrdinalIgnoreCase)
    {
        ["pos"] = OrderSource.Pos,
        ["web"] = OrderSource.Web,
        ["marketplace"] = OrderSource.Marketplace,
    };

    /// <summary>Parses a Segment call. <paramref name="type"/> is null inside a batch, where the item says it.</summary>
    /// <param name="json">The call.</param>
    /// <param name="type">The call type from the route; null inside a batch.</param>
    /// <param name="tenant">The tenant of the write key.</param>
    /// <param name="traceParent">The request's trace, carried by the event (set here, so the event is not copied to add it).</param>
    public (CustomerEvent? Event, FieldError? Error) ParseSegment(JsonElement json, EventType? type, string tenant, string? traceParent = null)
    {
        try
        {
            return (Segment(json, type, tenant, traceParent), null);
        }
        catch (InvalidFieldException ex)
        {
            return (null, ex.Error);
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            return (null, Unreadable);
        }
    }

    public (CustomerEvent? Event, FieldError? Error) ParseCheckIn(JsonElement json, string tenant)
    {
        try
        {
            return (CheckIn(json, tenant), null);
        }
        catch (InvalidFieldException ex)
        {
            return (null, ex.Error);
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            return (null, Unreadable);
        }
    }

    public (CustomerEvent? Event, FieldError? Error) ParseOrder(JsonElement json, string tenant)
    {
        try
        {
            return (Order(json, tenant), null);
        }
        catch (InvalidFieldException ex)
        {
            return (null, ex.Error);
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            return (null, Unreadable);
        }
    }

    /// <summary>The message id as the client sent it, for reporting a rejected batch item.</summary>
    public static string? MessageIdOf(JsonElement json)
    {
        try
        {
            return json.ValueKind == JsonValueKind.Object && json.TryGetProperty("messageId", out var id) && id.ValueKind == JsonValueKind.String
                && TryText(id, out var text) && text.Length <= MaxIdLength
                ? text
                : null;
        }
        catch (InvalidOperationException)
        {
            // A property name with a lone surrogate escape: looking up any name unescapes it.
            return null;
        }
    }

    /// <summary>The batch array of a <c>/v1/batch</c> body, or null when there is none (or it cannot be read).</summary>
    public static JsonElement? BatchOf(JsonElement root)
    {
        try
        {
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("batch", out var items) && items.ValueKind == JsonValueKind.Array
                ? items
                : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// What a value the checks below did not foresee reports instead of an exception: JSON can hold
    /// text .NET cannot read (a lone UTF-16 surrogate escape) or numbers no type holds.
    /// </summary>
    private static readonly FieldError Unreadable = new("body", "contains a value that cannot be read (invalid text or an out-of-range number)");

    private static bool IsUnreadable(Exception ex) =>
        ex is InvalidOperationException or FormatException or OverflowException or ArgumentException;

    private static bool TryText(JsonElement value, out string text)
    {
        try
        {
            text = value.GetString() ?? "";
            return true;
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape ("\ud800") is valid JSON but not valid text.
            text = "";
            return false;
        }
    }

    private CustomerEvent Segment(JsonElement json, EventType? routeType, string tenant, string? traceParent)
    {
        RequireObject(json, "body");
        var type = routeType ?? (OptionalString(json, "type") is { } t && SegmentTypes.TryGetValue(t, out var parsed)
            ? parsed
            : throw Invalid("type", "must be one of track, identify, page, screen, alias, group"));

        var context = OptionalObject(json, "context");
        var properties = OptionalObject(json, "properties");
        // A group call's traits describe the account, not the person.
        var groupTraits = type == EventType.Group ? Traits(OptionalObject(json, "traits"), "traits") : null;
        var topTraits = type == EventType.Group ? null : OptionalObject(json, "traits");
        var traitsField = topTraits is null ? "context.traits" : "traits";
        var traits = Traits(topTraits ?? (context is { } c ? OptionalObject(c, "traits", "context.traits") : null), traitsField);

        var userId = Id(json, "userId");
        var anonymousId = Id(json, "anonymousId");
        var previousId = type == EventType.Alias ? Id(json, "previousId") : null;
        var groupId = type == EventType.Group ? Id(json, "groupId") ?? throw Invalid("groupId", "is required for group") : null;
        if (type == EventType.Alias)
        {
            if (userId is null)
            {
                throw Invalid("userId", "is required for alias");
            }
            if (previousId is null)
            {
                throw Invalid("previousId", "is required for alias");
            }
        }
        else if (userId is null && anonymousId is null)
        {
            throw Invalid("userId", "userId or anonymousId is required");
        }

        var name = type switch
        {
            EventType.Track => OptionalString(json, "event") is { Length: > 0 and <= MaxIdLength } e ? e : throw Invalid("event", "is required for track (at most 200 characters)"),
            _ => OptionalString(json, "name"),
        };

        var page = context is { } ctx ? OptionalObject(ctx, "page", "context.page") : null;
        var url = (properties is { } p ? OptionalString(p, "url") : null) ?? (page is { } pg ? OptionalString(pg, "url") : null);
        var path = (properties is { } p2 ? OptionalString(p2, "path") : null)
            ?? (page is { } pg2 ? OptionalString(pg2, "path") : null)
            ?? PathOf(url);

        var touch = Touch(context, url, properties);
        if (touch is not null && type == EventType.Track && SegmentEvents.IsView(name))
        {
            // Seen, not clicked: attribution credits it only within the shorter view lookback.
            touch = touch with { IsView = true };
        }
        return new CustomerEvent
        {
            MessageId = MessageId(json),
            Tenant = tenant,
            Type = type,
            Name = SharedStrings.Intern(name),
            Timestamp = Timestamp(json),
            UserId = userId,
            AnonymousId = anonymousId,
            PreviousId = previousId,
            Phone = Phone(traits, traitsField + ".phone"),
            Email = Email(traits, traitsField + ".email"),
            ZaloId = traits?.GetValueOrDefault("zaloId") ?? traits?.GetValueOrDefault("zalo_id"),
            Traits = PersonTraits(traits),
            Path = SharedStrings.Intern(type == EventType.Screen ? name ?? path : path),
            Category = properties is { } p3 ? SharedStrings.Intern(OptionalString(p3, "category")) : null,
            Touch = touch,
            DurationSeconds = properties is { } p4 ? Duration(p4) : null,
            ContactChannel = properties is { } p5 ? SharedStrings.Intern(OptionalString(p5, "channel")) : null,
            ProductId = properties is { } p6 ? SharedStrings.Intern(OptionalString(p6, "product_id") ?? OptionalString(p6, "sku")) : null,
            StoreId = properties is { } p7 ? StoreCode(p7, "storeId", "properties.storeId", required: false) : null,
            Order = type == EventType.Track && SegmentEvents.Is(name, SegmentEvents.OrderCompleted) && properties is { } p8
                ? WebOrder(p8, traits?.GetValueOrDefault("name"))
                : null,
            Consents = Consents(context, properties, type == EventType.Track && SegmentEvents.Is(name, Privacy.ConsentJson.ConsentUpdated)),
            GroupId = groupId,
            GroupTraits = groupTraits,
            TraceParent = traceParent,
        };
    }

    /// <summary>Consent carried by <c>context.consent</c>, or by the properties of a <c>Consent Updated</c> track.</summary>
    private static IReadOnlyList<Grains.Consent.ConsentChange>? Consents(JsonElement? context, JsonElement? properties, bool consentUpdated)
    {
        var (json, field) = consentUpdated
            ? (properties ?? throw Invalid("properties", "Consent Updated needs the consent in its properties"), "properties")
            : (context is { } c && c.TryGetProperty("consent", out var consent) && consent.ValueKind != JsonValueKind.Null ? consent : default, "context.consent");
        if (json.ValueKind == JsonValueKind.Undefined)
        {
            return null;
        }
        var (changes, error) = Privacy.ConsentJson.Parse(json, field);
        return error is null ? changes : throw new InvalidFieldException(error);
    }

    private CustomerEvent CheckIn(JsonElement json, string tenant)
    {
        RequireObject(json, "body");
        var storeId = StoreCode(json, "storeId", "storeId", required: true)!;
        var method = OptionalString(json, "method") is { } m && Methods.TryGetValue(m, out var parsed)
            ? parsed
            : throw Invalid("method", "must be one of qr, wifi, pos, consultation, product_qr");
        var phone = OptionalString(json, "phone") is { } raw
            ? ContactPoints.NormalizePhone(raw) ?? throw Invalid("phone", "is not a valid Vietnamese or international phone number")
            : null;
        var userId = Id(json, "userId");
        var anonymousId = Id(json, "anonymousId");
        if (phone is null && userId is null && anonymousId is null)
        {
            throw Invalid("phone", "phone, userId or anonymousId is required");
        }
        var timestamp = Timestamp(json);
        var name = OptionalString(json, "name");
        return new CustomerEvent
        {
            MessageId = ClientMessageId(json)
                ?? $"checkin:{storeId}:{(int)method}:{pseudonyms.Of(tenant, phone ?? userId ?? anonymousId!)}:{timestamp.ToUnixTimeMilliseconds()}",
            Tenant = tenant,
            Type = EventType.CheckIn,
            Timestamp = timestamp,
            StoreId = storeId,
            CheckInMethod = method,
            Phone = phone,
            UserId = userId,
            AnonymousId = anonymousId,
            Email = OptionalString(json, "email") is { } e ? ContactPoints.NormalizeEmail(e) ?? throw Invalid("email", "is not a valid email address") : null,
            Traits = name is null ? null : new Dictionary<string, string> { ["name"] = name },
        };
    }

    private CustomerEvent Order(JsonElement json, string tenant)
    {
        RequireObject(json, "body");
        var orderId = OptionalString(json, "orderId") is { Length: > 0 } o ? Bounded(o, "orderId") : throw Invalid("orderId", "is required");
        var source = OptionalString(json, "source") is { } s && Sources.TryGetValue(s, out var parsed)
            ? parsed
            : throw Invalid("source", "must be one of pos, web, marketplace");
        var storeId = StoreCode(json, "storeId", "storeId", required: source == OrderSource.Pos);
        if (OptionalString(json, "currency") is { } currency && !string.Equals(currency, "VND", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid("currency", "only VND is supported");
        }
        var items = Items(json);
        var total = Money(json, "total", "total") ?? items.Sum(i => i.Price * i.Quantity);

        string? phone = null, email = null, name = null;
        if (OptionalObject(json, "customer") is { } customer)
        {
            phone = OptionalString(customer, "phone") is { } raw
                ? ContactPoints.NormalizePhone(raw) ?? throw Invalid("customer.phone", "is not a valid Vietnamese or international phone number")
                : null;
            email = OptionalString(customer, "email") is { } e
                ? ContactPoints.NormalizeEmail(e) ?? throw Invalid("customer.email", "is not a valid email address")
                : null;
            name = OptionalString(customer, "name");
        }
        return new CustomerEvent
        {
            // A POS re-sending the same order must not count it twice, message id or not.
            MessageId = ClientMessageId(json) ?? $"order:{(int)source}:{orderId}",
            Tenant = tenant,
            Type = EventType.Order,
            Name = SegmentEvents.OrderCompleted,
            Timestamp = Timestamp(json),
            StoreId = storeId,
            Phone = phone,
            Email = email,
            UserId = Id(json, "userId"),
            Traits = name is null ? null : new Dictionary<string, string> { ["name"] = name },
            Order = new OrderInfo
            {
                OrderId = orderId, Source = source, Total = total, Items = items, CustomerName = name,
                Status = OptionalString(json, "status") is { } status
                    ? Enum.TryParse<OrderStatus>(status, ignoreCase: true, out var parsedStatus) && Enum.IsDefined(parsedStatus) && !char.IsDigit(status[0])
                        ? parsedStatus
                        : throw Invalid("status", "must be one of placed, paid, returned, cancelled")
                    : OrderStatus.Paid,
                PaymentMethod = OptionalString(json, "paymentMethod") is { } payment ? Bounded(payment, "paymentMethod") : null,
            },
        };
    }

    private static OrderInfo WebOrder(JsonElement properties, string? name)
    {
        var orderId = OptionalString(properties, "order_id") ?? OptionalString(properties, "orderId")
            ?? throw Invalid("properties.order_id", "is required for Order Completed");
        var total = Money(properties, "total", "properties.total") ?? Money(properties, "revenue", "properties.revenue") ?? 0;
        var items = new List<OrderItem>();
        if (properties.TryGetProperty("products", out var products) && products.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var product in products.EnumerateArray())
            {
                items.Add(Item(product, $"properties.products[{i++}]", "product_id", "sku"));
            }
        }
        return new OrderInfo { OrderId = orderId, Source = OrderSource.Web, Total = total, Items = items, CustomerName = name };
    }

    private static List<OrderItem> Items(JsonElement json)
    {
        var items = new List<OrderItem>();
        if (!json.TryGetProperty("items", out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return items;
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("items", "must be an array");
        }
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            items.Add(Item(item, $"items[{i++}]", "sku", "product_id"));
        }
        return items;
    }

    private static OrderItem Item(JsonElement item, string at, string skuField, string altSkuField)
    {
        RequireObject(item, at);
        var sku = OptionalString(item, skuField) ?? OptionalString(item, altSkuField) ?? throw Invalid($"{at}.{skuField}", "is required");
        var quantity = OptionalNumber(item, "quantity", $"{at}.quantity") ?? 1;
        if (quantity < 1 || quantity != Math.Floor(quantity) || quantity > 100_000)
        {
            throw Invalid($"{at}.quantity", "must be a whole number from 1 to 100000");
        }
        var price = Money(item, "price", $"{at}.price") ?? 0;
        return new OrderItem(sku, OptionalString(item, "name"), (int)quantity, price);
    }

    private static long? Money(JsonElement json, string name, string field)
    {
        if (OptionalNumber(json, name, field) is not { } value)
        {
            return null;
        }
        if (value < 0 || value > 1e15)
        {
            throw Invalid(field, "must be an amount in VND from 0 to 10^15");
        }
        if (value != Math.Floor(value))
        {
            throw Invalid(field, "must be whole VND (the đồng has no minor unit)");
        }
        return (long)value;
    }

    /// <summary>
    /// The ad touch from <c>context.campaign</c>, the page URL's UTM tags and click id, or UTM tags in
    /// the properties (where pixel calls for impressions and email opens carry them).
    /// </summary>
    private static AdTouch? Touch(JsonElement? context, string? url, JsonElement? properties)
    {
        var query = QueryOf(url);
        var campaign = context is { } c ? OptionalObject(c, "campaign", "context.campaign") : null;
        if (query.Count == 0 && campaign is null && properties is null)
        {
            // Most events: nothing that could name an ad.
            return null;
        }

        string? clickIdType = null;
        foreach (var id in ClickIdTypes)
        {
            if (query.ContainsKey(id) || properties is { } p && p.TryGetProperty(id, out _))
            {
                clickIdType = id;
                break;
            }
        }
        var source = From(campaign, query, properties, "source", "utm_source");
        var medium = From(campaign, query, properties, "medium", "utm_medium");
        var touch = new AdTouch
        {
            Source = source is null || IsLowerCase(source) ? source : SharedStrings.Intern(source.ToLowerInvariant()),
            Medium = medium is null || IsLowerCase(medium) ? medium : SharedStrings.Intern(medium.ToLowerInvariant()),
            Campaign = From(campaign, query, properties, "name", "utm_campaign"),
            Content = From(campaign, query, properties, "content", "utm_content"),
            Term = From(campaign, query, properties, "term", "utm_term"),
            Audience = From(campaign, query, properties, "audience", "utm_audience"),
            ClickIdType = clickIdType,
            // From the URL, or from the properties when only they carry it (a pixel call).
            ClickId = clickIdType is not null
                && (query.GetValueOrDefault(clickIdType) ?? (properties is { } pc ? OptionalString(pc, clickIdType) : null)) is { Length: > 0 and <= MaxIdLength } clickId
                ? clickId
                : null,
        };
        return touch.Source is null && touch.Campaign is null && touch.ClickIdType is null ? null : touch;

        // Shared: every person who came through one ad carries the same tags.
        static string? From(JsonElement? campaign, Dictionary<string, string> query, JsonElement? properties, string campaignField, string utm) =>
            SharedStrings.Intern((campaign is { } cj ? OptionalString(cj, campaignField) : null) ?? query.GetValueOrDefault(utm)
                ?? (properties is { } p ? OptionalString(p, utm) : null));

        static bool IsLowerCase(string text) => !text.AsSpan().ContainsAnyInRange('A', 'Z') && System.Text.Ascii.IsValid(text);
    }

    private static readonly string[] ClickIdTypes = ["fbclid", "gclid", "ttclid"];

    /// <summary>Read only: shared by every URL without a query.</summary>
    private static readonly Dictionary<string, string> NoQuery = new(StringComparer.OrdinalIgnoreCase);

    private static Dictionary<string, string> QueryOf(string? url)
    {
        if (url is null || url.IndexOf('?', StringComparison.Ordinal) is var q && q < 0)
        {
            return NoQuery;
        }
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var query = url[(q + 1)..];
        var hash = query.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            query = query[..hash];
        }
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            result.TryAdd(key, value);
        }
        return result;
    }

    private static string? PathOf(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.AbsolutePath : null;

    private static Dictionary<string, string>? Traits(JsonElement? traits, string field)
    {
        if (traits is not { } t)
        {
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in t.EnumerateObject())
        {
            if (result.Count >= MaxTraits)
            {
                throw Invalid(field, $"at most {MaxTraits} traits");
            }
            var value = property.Value.ValueKind switch
            {
                JsonValueKind.String => TryText(property.Value, out var text) ? text : throw Invalid($"{field}.{property.Name}", "is not valid text"),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                _ => null,
            };
            if (value is { Length: > MaxTraitLength })
            {
                throw Invalid($"{field}.{property.Name}", $"at most {MaxTraitLength} characters");
            }
            if (value is not null)
            {
                result[property.Name] = value;
            }
        }
        if (!result.ContainsKey("name") && (result.GetValueOrDefault("lastName") ?? result.GetValueOrDefault("last_name")) is { } last)
        {
            // Vietnamese order: family name first.
            var first = result.GetValueOrDefault("firstName") ?? result.GetValueOrDefault("first_name");
            result["name"] = first is null ? last : $"{last} {first}";
        }
        return result;
    }

    /// <summary>Traits that describe the person; contact points travel as identifiers instead.</summary>
    private static Dictionary<string, string>? PersonTraits(Dictionary<string, string>? traits)
    {
        if (traits is null)
        {
            return null;
        }
        traits.Remove("phone");
        traits.Remove("email");
        return traits.Count == 0 ? null : traits;
    }

    private static string? Phone(Dictionary<string, string>? traits, string field) =>
        traits?.GetValueOrDefault("phone") is { } raw
            ? ContactPoints.NormalizePhone(raw) ?? throw Invalid(field, "is not a valid Vietnamese or international phone number")
            : null;

    private static string? Email(Dictionary<string, string>? traits, string field) =>
        traits?.GetValueOrDefault("email") is { } raw
            ? ContactPoints.NormalizeEmail(raw) ?? throw Invalid(field, "is not a valid email address")
            : null;

    private string MessageId(JsonElement json) =>
        ClientMessageId(json) ?? "srv-" + Guid.CreateVersion7(clock.GetUtcNow()).ToString("N");

    /// <summary>The client's message id; a blank one counts as none, so the server gives the event an id of its own.</summary>
    private static string? ClientMessageId(JsonElement json) =>
        OptionalString(json, "messageId") is { } id && !string.IsNullOrWhiteSpace(id) ? Bounded(id, "messageId") : null;

    private DateTimeOffset Timestamp(JsonElement json)
    {
        var now = clock.GetUtcNow();
        var field = json.TryGetProperty("timestamp", out _) ? "timestamp" : "originalTimestamp";
        if (OptionalString(json, field) is not { } raw)
        {
            return now;
        }
        if (!DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            throw Invalid(field, "must be an ISO 8601 date and time");
        }
        if (at > now + MaxClockSkew)
        {
            throw Invalid(field, "is more than a day in the future");
        }
        if (at < EarliestTimestamp)
        {
            throw Invalid(field, "is before the year 2000");
        }
        return at.ToUniversalTime();
    }

    private static string? StoreCode(JsonElement json, string name, string field, bool required)
    {
        var code = OptionalString(json, name);
        if (code is null)
        {
            return required ? throw Invalid(field, "is required") : null;
        }
        if (code.Length is 0 or > 64 || !code.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))
        {
            throw Invalid(field, "must be 1 to 64 letters, digits, '-', '_' or '.'");
        }
        // A shop has a few hundred stores: every visitor's events and profile keep one copy of each code.
        return SharedStrings.Intern(code);
    }

    private static string? Id(JsonElement json, string name) => json.TryGetProperty(name, out var value)
        ? value.ValueKind switch
        {
            JsonValueKind.String when (TryText(value, out var s) ? s : throw Invalid(name, "is not valid text")) is { Length: > 0 } => Bounded(s, name),
            JsonValueKind.Number => Bounded(value.GetRawText(), name),
            JsonValueKind.Null or JsonValueKind.String => null,
            _ => throw Invalid(name, "must be a string"),
        }
        : null;

    private static string Bounded(string value, string field) =>
        value.Length <= MaxIdLength ? value : throw Invalid(field, $"at most {MaxIdLength} characters");

    private static string? OptionalString(JsonElement json, string name)
    {
        if (!json.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        if (!TryText(value, out var text))
        {
            throw Invalid(name, "is not valid text (it holds a lone UTF-16 surrogate)");
        }
        if (text.Length > MaxTextLength)
        {
            throw Invalid(name, $"at most {MaxTextLength} characters");
        }
        return text;
    }

    private static double? OptionalNumber(JsonElement json, string name, string field)
    {
        if (!json.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        var number = value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetDouble(out var n) => n,
            JsonValueKind.String when TryText(value, out var text)
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => throw Invalid(field, "must be a number"),
        };
        return double.IsFinite(number) ? number : throw Invalid(field, "must be a finite number");
    }

    /// <summary>Time on a page, in seconds: from 0 to a day, so one event cannot swamp a score.</summary>
    private static double? Duration(JsonElement properties)
    {
        var (name, field) = properties.TryGetProperty("timeOnPageSeconds", out _)
            ? ("timeOnPageSeconds", "properties.timeOnPageSeconds")
            : ("duration", "properties.duration");
        return OptionalNumber(properties, name, field) is { } seconds
            ? seconds is >= 0 and <= MaxDurationSeconds ? seconds : throw Invalid(field, "must be from 0 to 86400 seconds")
            : null;
    }

    private static JsonElement? OptionalObject(JsonElement json, string name, string? field = null)
    {
        if (!json.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Object ? value : throw Invalid(field ?? name, "must be an object");
    }

    private static void RequireObject(JsonElement json, string field)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(field, "must be a JSON object");
        }
    }

    private static InvalidFieldException Invalid(string field, string message) => new(new FieldError(field, message));

    private sealed class InvalidFieldException(FieldError error) : Exception(error.Message)
    {
        public FieldError Error { get; } = error;
    }
}
