using O2O.Grains.Attribution;

using System.Globalization;

namespace O2O.Api.Dashboard;

/// <summary>Vietnamese number, money and date formats for the dashboard.</summary>
public static class DashboardFormat
{
    public static readonly CultureInfo Vietnamese = CultureInfo.GetCultureInfo("vi-VN");

    /// <summary>Whole VND with dot grouping: <c>1.250.000 ₫</c>.</summary>
    public static string Vnd(double amount) => Math.Round(amount).ToString("#,##0", Vietnamese) + " ₫";

    /// <summary>Short VND for chart axes: <c>12,5 tr</c> (triệu), <c>1,2 tỷ</c>.</summary>
    public static string VndShort(double amount) => Math.Abs(amount) switch
    {
        >= 1_000_000_000 => (amount / 1_000_000_000).ToString("0.#", Vietnamese) + " tỷ",
        >= 1_000_000 => (amount / 1_000_000).ToString("0.#", Vietnamese) + " tr",
        _ => Math.Round(amount).ToString("#,##0", Vietnamese) + " ₫",
    };

    /// <summary>Day first, as Vietnamese write dates: <c>22/11/2026</c>.</summary>
    public static string Date(DateOnly day) => day.ToString("dd/MM/yyyy", Vietnamese);

    public static string Number(double value, int decimals = 0) => value.ToString(decimals == 0 ? "#,##0" : "#,##0." + new string('0', decimals), Vietnamese);

    public static string Percent(double share) => share.ToString("0.0%", Vietnamese);

    public static string ModelName(AttributionModel model) => model switch
    {
        AttributionModel.LastTouch => "Chạm cuối",
        AttributionModel.FirstTouch => "Chạm đầu",
        AttributionModel.Linear => "Tuyến tính",
        AttributionModel.TimeDecay => "Suy giảm theo thời gian",
        _ => "Theo vị trí (40/20/40)",
    };
}

/// <summary>A headline figure's change against the previous period: the words, and whether it is good news.</summary>
public sealed record KpiChange(string Text, bool? Better);
