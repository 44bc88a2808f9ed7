using System.Text.RegularExpressions;

namespace O2O.Grains.Spend;

/// <summary>What one day of ads cost on one channel, optionally per campaign, content and audience. Amount in whole VND.</summary>
[GenerateSerializer, Immutable, Alias("o2o.spend-row")]
public sealed record SpendRow(
    [property: Id(0)] DateOnly Date,
    [property: Id(1)] string Channel,
    [property: Id(2)] string? Campaign,
    [property: Id(3)] string? Content,
    [property: Id(4)] string? Audience,
    [property: Id(5)] long Amount);

/// <summary>A row as sent, before validation: every field still text or optional.</summary>
public sealed record SpendInput(string? Date, string? Channel, string? Campaign, string? Content, string? Audience, string? Amount);

/// <summary>Checks one spend row; every problem names its field.</summary>
public static partial class SpendValidation
{
    /// <summary>More than any single channel spends in a day (10 trillion VND).</summary>
    public const long MaximumAmount = 10_000_000_000_000;

    public static (SpendRow? Row, Dictionary<string, string> Errors) Validate(SpendInput input, DateOnly today)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        DateOnly date = default;
        if (string.IsNullOrWhiteSpace(input.Date))
        {
            errors["date"] = "The date is required (yyyy-MM-dd).";
        }
        else if (!DateOnly.TryParseExact(input.Date.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out date))
        {
            errors["date"] = $"'{Truncate(input.Date)}' is not a date in the form yyyy-MM-dd.";
        }
        else if (date > today)
        {
            errors["date"] = "Spend cannot be recorded for a day that has not happened yet.";
        }
        var channel = input.Channel?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(channel))
        {
            errors["channel"] = "The channel is required (facebook, google, tiktok, zalo, ...).";
        }
        else if (!ChannelPattern().IsMatch(channel))
        {
            errors["channel"] = "The channel must be 1-40 letters, digits, '-' or '_'.";
        }
        long amount = 0;
        var amountText = input.Amount?.Trim().Replace("_", "", StringComparison.Ordinal);
        if (string.IsNullOrEmpty(amountText))
        {
            errors["amount"] = "The amount is required, in whole VND.";
        }
        else if (!long.TryParse(amountText, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out amount))
        {
            errors["amount"] = $"'{Truncate(amountText)}' is not a whole number of VND (VND has no minor unit; no separators).";
        }
        else if (amount is < 0 or > MaximumAmount)
        {
            errors["amount"] = "The amount must be between 0 and 10,000,000,000,000 VND.";
        }
        foreach (var (field, value) in new[] { ("campaign", input.Campaign), ("content", input.Content), ("audience", input.Audience) })
        {
            if (value is { Length: > 200 })
            {
                errors[field] = $"The {field} must be at most 200 characters.";
            }
            else if (value?.Contains('|', StringComparison.Ordinal) == true)
            {
                errors[field] = $"The {field} cannot contain '|'.";
            }
        }
        return errors.Count > 0
            ? (null, errors)
            : (new SpendRow(date, channel!, Blank(input.Campaign), Blank(input.Content), Blank(input.Audience), amount), errors);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    [GeneratedRegex("^[a-z0-9_-]{1,40}$")]
    private static partial Regex ChannelPattern();
}
