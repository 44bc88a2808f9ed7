using O2O.Grains.Events;

namespace O2O.Grains.Identity;

/// <summary>Kinds of identifier, strongest first: the order decides which profile wins a conflict.</summary>
public enum IdentifierKind : byte
{
    UserId = 1,
    Phone = 2,
    Email = 3,
    Zalo = 4,
    Anonymous = 5,
}

/// <summary>A normalised identifier such as <c>phone:+84901234567</c>.</summary>
[GenerateSerializer, Immutable, Alias("o2o.identifier")]
public readonly record struct Identifier(
    [property: Id(0)] IdentifierKind Kind,
    [property: Id(1)] string Value)
{
    /// <summary>True for identifiers that name a person rather than a device.</summary>
    public bool IsStrong => Kind != IdentifierKind.Anonymous;

    public override string ToString() => $"{Prefix(Kind)}:{Value}";

    public static string Prefix(IdentifierKind kind) => kind switch
    {
        IdentifierKind.UserId => "user",
        IdentifierKind.Phone => "phone",
        IdentifierKind.Email => "email",
        IdentifierKind.Zalo => "zalo",
        _ => "anon",
    };

    /// <summary>The kind a prefix written by <see cref="Prefix"/> names.</summary>
    public static IdentifierKind KindOf(string prefix) => prefix switch
    {
        "user" => IdentifierKind.UserId,
        "phone" => IdentifierKind.Phone,
        "email" => IdentifierKind.Email,
        "zalo" => IdentifierKind.Zalo,
        _ => IdentifierKind.Anonymous,
    };

    /// <summary>Every identifier an event carries, strongest first, without repeats.</summary>
    public static List<Identifier> From(CustomerEvent e)
    {
        var ids = new List<Identifier>(3);
        Add(ids, IdentifierKind.UserId, e.UserId);
        Add(ids, IdentifierKind.Phone, e.Phone);
        Add(ids, IdentifierKind.Email, e.Email);
        Add(ids, IdentifierKind.Zalo, e.ZaloId);
        Add(ids, IdentifierKind.Anonymous, e.AnonymousId);
        // An alias links a previous id (usually the anonymous one) to the user id.
        if (e.Type == EventType.Alias)
        {
            Add(ids, IdentifierKind.Anonymous, e.PreviousId);
        }
        return ids;
    }

    private static void Add(List<Identifier> ids, IdentifierKind kind, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        foreach (var known in ids)
        {
            if (known.Kind == kind && known.Value == value)
            {
                return;
            }
        }
        ids.Add(new Identifier(kind, value));
    }
}
