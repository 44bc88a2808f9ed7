using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;

namespace O2O.Bench.Storage;

/// <summary>
/// What one Table storage operation costs the account's server, apart from O2O: point writes and reads
/// of entities of a given size, 64 at a time (the silo's connection limit), and upserts sent as entity
/// group transactions of 100. Against the Azurite the command starts, it prints Azurite's CPU per
/// operation and the wall time per read, which bound how fast any silo on the same machine can go.
/// Usage: <c>dotnet run -c Release --project bench/O2O.Bench.Storage -- tables [--operations N]</c>.
/// </summary>
internal static class TableOperationsBenchmark
{
    private const int AtOnce = 64;

    public static async Task<int> RunAsync(string[] args, string tables, Process? azurite)
    {
        var operations = Program.Arg(args, "--operations", 4_000);
        var service = new TableServiceClient(tables);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Table storage operations, {operations:N0} of each, {AtOnce} at a time; {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg")[..14]}"));
        using var gate = new SemaphoreSlim(AtOnce);
        foreach (var size in new[] { 200, 3_000, 6_000, 200, 3_000, 6_000 })
        {
            var table = service.GetTableClient("ops" + Guid.NewGuid().ToString("N")[..10]);
            await table.CreateAsync();
            var data = new byte[size];
            Random.Shared.NextBytes(data);
            var (insert, _) = await MeasureAsync(azurite, operations, i => table.UpsertEntityAsync(Row(i, data), TableUpdateMode.Replace));
            var (replace, _) = await MeasureAsync(azurite, operations, i => table.UpsertEntityAsync(Row(i, data), TableUpdateMode.Replace));
            var (read, readWall) = await MeasureAsync(azurite, operations, i => table.GetEntityAsync<TableEntity>("p" + i, "row"));
            var (batched, _) = await MeasureAsync(azurite, operations / 100, b => table.SubmitTransactionAsync(
                [.. Enumerable.Range(0, 100).Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("b" + b, "r" + i) { ["Data"] = data }))]));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{size,6} B entities: server CPU per insert {insert:F0} µs, per replace {replace:F0} µs, per read {read:F0} µs (wall {readWall:F0} µs per read), per entity in a batch of 100 {batched / 100:F0} µs"));
        }
        // As BatchedTableStorage stores profiles: rows of about 1.5 KB spread over 32 partitions, replaced
        // in transactions of 40 (what a checkpoint's writes averaged), in a table of a given size.
        foreach (var rows in new[] { 1_000, 12_000, 1_000, 12_000 })
        {
            var table = service.GetTableClient("ops" + Guid.NewGuid().ToString("N")[..10]);
            await table.CreateAsync();
            var data = new byte[1_500];
            Random.Shared.NextBytes(data);
            TableEntity Spread(int i) => new("s~" + (i % 32).ToString("D2", CultureInfo.InvariantCulture), "r" + i.ToString("D6", CultureInfo.InvariantCulture)) { ["Data"] = data };
            List<TableTransactionAction[]> Transactions(TableTransactionActionType type) =>
                [.. Enumerable.Range(0, rows).GroupBy(i => i % 32).SelectMany(g => g.Chunk(40)).Select(chunk => chunk.Select(i => new TableTransactionAction(type, Spread(i))).ToArray())];
            var inserts = Transactions(TableTransactionActionType.Add);
            var (inserted, _) = await MeasureAsync(azurite, inserts.Count, b => table.SubmitTransactionAsync(inserts[b]));
            var replaces = Transactions(TableTransactionActionType.UpsertReplace);
            var (replaced, _) = await MeasureAsync(azurite, replaces.Count, b => table.SubmitTransactionAsync(replaces[b]));
            var (single, _) = await MeasureAsync(azurite, Math.Min(rows, 2_000), i => table.UpsertEntityAsync(Spread(i), TableUpdateMode.Replace));
            var (read, _) = await MeasureAsync(azurite, Math.Min(rows, 2_000), i =>
            {
                var row = Spread(i);
                return table.GetEntityAsync<TableEntity>(row.PartitionKey, row.RowKey);
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{rows,6} rows of 1.5 KB in 32 partitions: server CPU per entity inserted in a batch of 40 {inserted * inserts.Count / rows:F0} µs, replaced in a batch of 40 {replaced * replaces.Count / rows:F0} µs, replaced alone {single:F0} µs, read {read:F0} µs"));
        }
        return 0;

        async Task<(double CpuMicroseconds, double WallMicroseconds)> MeasureAsync(Process? server, int count, Func<int, Task> operation)
        {
            server?.Refresh();
            var cpu = server?.TotalProcessorTime ?? TimeSpan.Zero;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    await operation(i);
                }
                finally
                {
                    gate.Release();
                }
            }));
            server?.Refresh();
            var spent = (server?.TotalProcessorTime ?? TimeSpan.Zero) - cpu;
            return (spent.TotalMicroseconds / count, clock.Elapsed.TotalMicroseconds / count);
        }
    }

    private static TableEntity Row(int i, byte[] data) => new("p" + i, "row") { ["Data"] = data };
}
