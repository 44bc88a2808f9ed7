using O2O.Grains;
using O2O.Grains.Identity;
using O2O.Grains.Privacy;

namespace O2O.Api.Privacy;

/// <summary>
/// Who a privacy request is about: one of <c>phone</c>, <c>email</c>, <c>userId</c>,
/// <c>anonymousId</c> or <c>profileId</c> in the query string, normalised as ingestion does.
/// </summary>
public sealed record SubjectQuery(string? Phone, string? Email, string? UserId, string? AnonymousId, string? ProfileId)
{
    public static ValueTask<SubjectQuery?> BindAsync(HttpContext http)
    {
        var q = http.Request.Query;
        static string? Value(Microsoft.Extensions.Primitives.StringValues v) => v.Count > 0 && !string.IsNullOrWhiteSpace(v[0]) ? v[0] : null;
        return ValueTask.FromResult<SubjectQuery?>(new SubjectQuery(Value(q["phone"]), Value(q["email"]), Value(q["userId"]), Value(q["anonymousId"]), Value(q["profileId"])));
    }

    /// <summary>The identifier named, or the field that is wrong.</summary>
    public (Identifier? Id, string? ProfileId, Dictionary<string, string[]>? Errors) Parse()
    {
        if (Phone is not null)
        {
            return ContactPoints.NormalizePhone(Phone) is { } phone
                ? (new Identifier(IdentifierKind.Phone, phone), null, null)
                : (null, null, Error("phone", "is not a valid phone number"));
        }
        if (Email is not null)
        {
            return ContactPoints.NormalizeEmail(Email) is { } email
                ? (new Identifier(IdentifierKind.Email, email), null, null)
                : (null, null, Error("email", "is not a valid email address"));
        }
        if (UserId is not null)
        {
            return (new Identifier(IdentifierKind.UserId, UserId), null, null);
        }
        if (AnonymousId is not null)
        {
            return (new Identifier(IdentifierKind.Anonymous, AnonymousId), null, null);
        }
        return ProfileId is not null
            ? (null, ProfileId, null)
            : (null, null, Error("phone", "name the person with one of phone, email, userId, anonymousId or profileId"));
    }

    /// <summary>
    /// The profile the subject resolves to (null: nobody, or suppressed), and the subject as the audit
    /// trail records it: the identifier's keyed hash, or the profile id.
    /// </summary>
    public static async Task<(string? ProfileId, string Subject)> ResolveAsync(
        string tenant, Identifier? id, string? profileId, IGrainFactory grains, Pseudonyms pseudonyms)
    {
        if (id is not { } identifier)
        {
            return (profileId, "profile:" + profileId);
        }
        var key = IdentityKey.Of(tenant, identifier, pseudonyms);
        var owner = await grains.Identity(key).GetOwnerAsync();
        return (owner.ProfileId, TenantKey.Split(key.GrainKey).Id);
    }

    private static Dictionary<string, string[]> Error(string field, string message) => new() { [field] = [message] };
}
