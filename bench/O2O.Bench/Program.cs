namespace O2O.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/O2O.Bench -- ingest [--profiles N] [--events-per-profile N] [--batch N] [--senders N]</c>
/// <c>dotnet run -c Release --project bench/O2O.Bench -- eventhubs [same options]</c>, <c>-- eventhubs-drain [--profiles N] [--events-per-profile N]</c>
/// <c>dotnet run -c Release --project bench/O2O.Bench -- attribution [--conversions N] [--campaigns N] [--stores N] [--days N]</c>
/// <c>dotnet run -c Release --project bench/O2O.Bench -- segments [--profiles N] [--due-percent N]</c>
/// </summary>
internal static class BenchProgram
{
    private static async Task<int> Main(string[] args) => args.FirstOrDefault() switch
    {
        "ingest" or null => await IngestBenchmark.RunAsync(BenchArgs.Parse([.. args.Skip(1)])),
        "eventhubs" => await EventHubsBenchmark.RunAsync(BenchArgs.Parse([.. args.Skip(1)])),
        "eventhubs-drain" => await EventHubsBenchmark.DrainAsync(BenchArgs.Parse([.. args.Skip(1)])),
        "attribution" => await AttributionBenchmark.RunAsync(BenchArgs.Parse([.. args.Skip(1)])),
        "segments" => await SegmentTickBenchmark.RunAsync(BenchArgs.Parse([.. args.Skip(1)])),
        var other => Fail($"Unknown benchmark '{other}'. Available: ingest, eventhubs, eventhubs-drain, attribution, segments"),
    };

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
