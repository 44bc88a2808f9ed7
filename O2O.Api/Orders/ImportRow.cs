using System.Globalization;
using System.Text;
using O2O.Grains.Events;
using O2O.Grains.Identity;

namespace O2O.Api.Orders;

/// <summary>Where each field sits in one file, found from its header row.</summary>
public sealed class ColumnMap
{
    private ColumnMap(Dictionary<string, (int Index, string Header)> found) => _found = found;

    private readonly Dictionary<string, (int Index, string Header)> _found;

    public (int Index, string Header)? this[string field] => _found.TryGetValue(field, out var at) ? at : null;

    /// <summary>The map, or why the file cannot be read with this preset.</summary>
    public static (ColumnMap? Map, string? Problem) Resolve(ImportColumns columns, string[] header, OrderImportPreset preset)
    {
        var folded = header.Select(OrderImportPresets.Fold).ToArray();
        var found = new Dictionary<string, (int, string)>(StringComparer.Ordinal);
        void Find(string field, string[] names)
        {
            foreach (var name in names)
            {
                var at = Array.IndexOf(folded, OrderImportPresets.Fold(name));
                if (at >= 0)
                {
                    found[field] = (at, header[at].Trim());
                    return;
                }
            }
        }
        Find(nameof(columns.OrderId), columns.OrderId);
        Find(nameof(columns.PlacedAt), columns.PlacedAt);
        Find(nameof(columns.Store), columns.Store);
        Find(nameof(columns.CustomerName), columns.CustomerName);
        Find(nameof(columns.Phone), columns.Phone);
        Find(nameof(columns.Email), columns.Email);
        Find(nameof(columns.Total), columns.Total);
        Find(nameof(columns.Status), columns.Status);
        Find(nameof(columns.CancelledAt), columns.CancelledAt);
        Find(nameof(columns.PaymentMethod), columns.PaymentMethod);
        Find(nameof(columns.Sku), columns.Sku);
        Find(nameof(columns.ItemName), columns.ItemName);
        Find(nameof(columns.Quantity), columns.Quantity);
        Find(nameof(columns.Price), columns.Price);
        var missing = new List<string>();
        if (!found.ContainsKey(nameof(columns.OrderId)))
        {
            missing.Add($"order id (one of: {string.Join(", ", columns.OrderId)})");
        }
        if (!found.ContainsKey(nameof(columns.PlacedAt)))
        {
            missing.Add($"order time (one of: {string.Join(", ", columns.PlacedAt)})");
        }
        if (!found.ContainsKey(nameof(columns.Total)) && !found.ContainsKey(nameof(columns.Price)))
        {
            missing.Add($"total (one of: {string.Join(", ", columns.Total.Concat(columns.Price))})");
        }
        return missing.Count == 0
            ? (new ColumnMap(found), null)
            : (null, $"The file's header has no column for {string.Join("; ", missing)} as the '{preset.Name}' preset expects.");
    }
}

/// <summary>One data row of an export, read and checked.</summary>
public sealed record ImportRow(
    string OrderId,
    DateTimeOffset PlacedAt,
    string? StoreId,
    string? CustomerName,
    string? Phone,
    string? Email,
    long? Total,
    OrderStatus Status,
    string? PaymentMethod,
    OrderItem? Item)
{
    /// <summary>Vietnam's offset: exports write local times without one.</summary>
    private static readonly TimeSpan LocalOffset = TimeSpan.FromHours(7);

    private static readonly string[] DateFormats =
    [
        "dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm", "d/M/yyyy H:mm:ss", "d/M/yyyy H:mm", "dd/MM/yyyy", "d/M/yyyy",
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd", "yyyy/MM/dd HH:mm:ss", "yyyy/MM/dd HH:mm",
    ];

    /// <summary>The row, or the column and reason it is refused.</summary>
    public static (ImportRow? Row, string? Field, string? Reason) Parse(
        string[] record, ColumnMap map, OrderImportPreset preset, string? defaultStore, DateTimeOffset now)
    {
        string? Cell(string field) => map[field] is { } at && at.Index < record.Length && record[at.Index].Trim() is { Length: > 0 } v ? v : null;
        string Header(string field) => map[field]?.Header ?? field;
        const string orderIdField = nameof(ImportColumns.OrderId);

        if (Cell(orderIdField) is not { } orderId)
        {
            return (null, Header(orderIdField), "the order id is empty");
        }
        if (orderId.Length > 200)
        {
            return (null, Header(orderIdField), "the order id is longer than 200 characters");
        }
        if (Cell(nameof(ImportColumns.PlacedAt)) is not { } placedRaw || ParseTime(placedRaw) is not { } placedAt)
        {
            return (null, Header(nameof(ImportColumns.PlacedAt)), "is not a date and time (dd/MM/yyyy HH:mm:ss, yyyy-MM-dd HH:mm:ss or ISO 8601)");
        }
        if (placedAt > now + TimeSpan.FromDays(1))
        {
            return (null, Header(nameof(ImportColumns.PlacedAt)), "is in the future");
        }

        var store = Cell(nameof(ImportColumns.Store)) is { } branch ? StoreCode(branch) : defaultStore;
        if (store is null && preset.Source == OrderSource.Pos)
        {
            return (null, Header(nameof(ImportColumns.Store)), "a store order needs its store (the column, or ?storeId= on the upload)");
        }

        string? phone = null;
        if (Cell(nameof(ImportColumns.Phone)) is { } rawPhone)
        {
            phone = ContactPoints.NormalizePhone(rawPhone);
            if (phone is null && !preset.MaskedPhones)
            {
                return (null, Header(nameof(ImportColumns.Phone)), "is not a valid Vietnamese or international phone number");
            }
        }
        string? email = null;
        if (Cell(nameof(ImportColumns.Email)) is { } rawEmail)
        {
            email = ContactPoints.NormalizeEmail(rawEmail) ?? (preset.MaskedPhones ? null : "!");
            if (email == "!")
            {
                return (null, Header(nameof(ImportColumns.Email)), "is not a valid email address");
            }
        }

        long? total = null;
        if (Cell(nameof(ImportColumns.Total)) is { } rawTotal)
        {
            total = Money(rawTotal);
            if (total is null or < 0)
            {
                return (null, Header(nameof(ImportColumns.Total)), "is not an amount in VND");
            }
        }

        var status = OrderStatus.Paid;
        if (Cell(nameof(ImportColumns.Status)) is { } rawStatus)
        {
            if (!OrderImportPresets.Statuses.TryGetValue(OrderImportPresets.Fold(rawStatus), out status))
            {
                return (null, Header(nameof(ImportColumns.Status)), $"'{Clip(rawStatus)}' is not a known order status");
            }
        }
        if (Cell(nameof(ImportColumns.CancelledAt)) is not null)
        {
            status = OrderStatus.Cancelled;
        }

        OrderItem? item = null;
        var sku = Cell(nameof(ImportColumns.Sku));
        var name = Cell(nameof(ImportColumns.ItemName));
        if (sku is not null || name is not null)
        {
            var quantity = 1;
            if (Cell(nameof(ImportColumns.Quantity)) is { } rawQuantity
                && (!int.TryParse(rawQuantity, NumberStyles.Integer, CultureInfo.InvariantCulture, out quantity) || quantity <= 0))
            {
                return (null, Header(nameof(ImportColumns.Quantity)), "must be a whole number above 0");
            }
            long price = 0;
            if (Cell(nameof(ImportColumns.Price)) is { } rawPrice)
            {
                if (Money(rawPrice) is not { } parsedPrice || parsedPrice < 0)
                {
                    return (null, Header(nameof(ImportColumns.Price)), "is not an amount in VND");
                }
                price = parsedPrice;
            }
            item = new OrderItem(Clip(sku ?? name!, 200), name is null ? null : Clip(name, 500), quantity, price);
        }
        if (total is null && item is null)
        {
            return (null, Header(nameof(ImportColumns.Total)), "the row has neither a total nor a line with a price");
        }

        var payment = Cell(nameof(ImportColumns.PaymentMethod)) is { } p ? Clip(p, 100) : null;
        var customer = Cell(nameof(ImportColumns.CustomerName)) is { } n ? Clip(n, 200) : null;
        return (new ImportRow(orderId, placedAt, store, customer, phone, email, total, status, payment, item), null, null);
    }

    /// <summary>Whole VND from the ways exports write money: <c>1500000</c>, <c>1,500,000</c>, <c>1.500.000 đ</c>, <c>1500000.00</c>.</summary>
    public static long? Money(string raw)
    {
        var s = raw.Trim();
        foreach (var unit in (ReadOnlySpan<string>)["VND", "VNĐ", "vnđ", "vnd", "đ", "₫", "d"])
        {
            if (s.EndsWith(unit, StringComparison.Ordinal))
            {
                s = s[..^unit.Length].TrimEnd();
            }
            if (s.StartsWith(unit, StringComparison.Ordinal))
            {
                s = s[unit.Length..].TrimStart();
            }
        }
        // A separator followed by one or two digits at the end is a decimal part (VND has none worth keeping).
        var last = s.LastIndexOfAny(['.', ',']);
        if (last >= 0 && s.Length - last - 1 is 1 or 2)
        {
            s = s[..last];
        }
        var digits = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            if (char.IsAsciiDigit(ch) || (ch == '-' && digits.Length == 0))
            {
                digits.Append(ch);
            }
            else if (ch is not (',' or '.' or ' ' or '\u00a0'))
            {
                return null;
            }
        }
        return long.TryParse(digits.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    public static DateTimeOffset? ParseTime(string raw)
    {
        if (DateTime.TryParseExact(raw, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return new DateTimeOffset(local, LocalOffset).ToUniversalTime();
        }
        // ISO 8601 and Shopify's "2024-01-05 10:00:00 +0700".
        return DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            && raw.IndexOfAny(['+', 'Z', 'T']) > 0
            ? at.ToUniversalTime()
            : null;
    }

    /// <summary>A store code from a branch name: <c>Chi nhánh Quận 1</c> becomes <c>chi-nhanh-quan-1</c>; codes stay as they are.</summary>
    public static string StoreCode(string branch)
    {
        if (branch.Length <= 64 && branch.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))
        {
            return branch;
        }
        var decomposed = branch.Replace('đ', 'd').Replace('Đ', 'D').Normalize(NormalizationForm.FormD);
        var code = new StringBuilder(decomposed.Length);
        foreach (var ch in decomposed)
        {
            if (char.IsAsciiLetterOrDigit(ch))
            {
                code.Append(char.ToLowerInvariant(ch));
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(ch) != UnicodeCategory.NonSpacingMark && code.Length > 0 && code[^1] != '-')
            {
                code.Append('-');
            }
        }
        var result = code.ToString().Trim('-');
        return result.Length == 0 ? "store" : result[..Math.Min(64, result.Length)];
    }

    private static string Clip(string value, int max = 60) => value.Length <= max ? value : value[..max];
}
