namespace O2O.Tests.MasterData;

/// <summary>Master-data tests share one tenant's KPIs, so they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class MasterDataCollection
{
    public const string Name = "master-data";
}

/// <summary>
/// Random Vietnamese mobile numbers that are valid (090: every 7-digit subscriber number is assigned;
/// some 09x prefixes such as 095 are not, and ingestion refuses them) and that the provider stand-in
/// accepts (never ending in 500, its flaky case).
/// </summary>
public static class TestPhones
{
    public static string NewLocal()
    {
        while (true)
        {
            var phone = "090" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!phone.EndsWith("500", StringComparison.Ordinal))
            {
                return phone;
            }
        }
    }

    public static string E164(string local) => "+84" + local[1..];
}

/// <summary>Polls until a value shows up (effects are applied after the 200); the limit bounds a hang, it measures nothing.</summary>
public static class Until
{
    public static async Task<T> NotNullAsync<T>(Func<Task<T?>> probe, int seconds = 60) where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The expected state did not show within {seconds} s.");
            }
            await Task.Delay(100);
        }
    }
}
