namespace O2O.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/O2O.Bench -- ingest [--profiles N] [--events-per-profile N] [--batch N] [--senders N] [--content-type application/json|text/plain] [--encoding identity|gzip] [--hold-seconds N]</c>
/// <c>dotnet run -c Release --project bench/O2O.Bench -- eventhubs [same options]</c>, <c>-- eventhubs-drain [--profiles N] [--events-per-profile N]</c>
/// <c>dotnet run -c Release --project bench/O2O.Bench -- attribution [--conversions N] [--campaigns N] [--stores N] [--days N]</c>
/// <c>dotnet run -c Release --project bench/O2O.Bench -- segments [--profiles N] [--due-percent N]</c>
/// <c>dotnet run -c Release --project bench/O2O.Bench -- import [--orders N] [--customers N] [--identified-every N]</c>
/// <c>dotnet run -c Release --project bench/O2O.Bench -- soak [--rate N] [--minutes N] [--warmup-minutes N] [--people N] [--consultants N]</c>
/// <c>dotnet run -c Release --project bench/O2O.Bench -- pseudonyms [--calls N] [--block N]</c>
/// <c>dotnet run -c Release --project bench/O2O.Bench -- orleans-floor [--profiles N] [--events-per-profile N] [--batch N] [--senders N] [--returning true]</c>
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
        "import" => await ImportBenchmark.RunAsync(BenchArgs.Parse([.. args.Skip(1)])),
        "soak" => await SoakBenchmark.RunAsync(BenchArgs.Parse([.. args.Skip(1)])),
        "pseudonyms" => await PseudonymBenchmark.RunAsync(BenchArgs.Parse([.. args.Skip(1)])),
        "orleans-floor" => await OrleansFloorBenchmark.RunAsync(BenchArgs.Parse([.. args.Skip(1)])),
        var other => Fail($"Unknown benchmark '{other}'. Available: ingest, eventhubs, eventhubs-drain, attribution, segments, import, soak, pseudonyms, orleans-floor"),
    };

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
