using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace O2O.Bench;

/// <summary>
/// Bulk import of order history through the embedded product: a KiotViet-format CSV is generated
/// as it is sent (chunked, never held whole on either side) to <c>POST /v1/orders/import</c>, and
/// the clock stops when every order is applied to the grains (the master-data KPI counts them).
/// Reports orders/s for the upload and end to end, and the process's peak memory.
/// </summary>
internal static class ImportBenchmark
{
    private const string Header = "Mã hóa đơn,Thời gian,Chi nhánh,Tên khách hàng,Điện thoại,Khách cần trả,Trạng thái,Mã hàng,Tên hàng,Số lượng,Đơn giá";

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var orders = args.Int("orders", 1_000_000);
        var customers = args.Int("customers", 50_000);
        var identifiedEvery = args.Int("identified-every", 3);
        Console.WriteLine($"import: {orders:N0} KiotViet orders, a 1/{identifiedEvery} share by {customers:N0} known customers, rest anonymous; load average {File.ReadAllText("/proc/loadavg").Trim()}");

        using var api = new EmbeddedApi();
        api.StartServer();
        var writer = api.Writer();
        writer.Timeout = Timeout.InfiniteTimeSpan;
        var reader = api.Reader();

        // Warm-up: a small import so JIT and grain types are ready.
        await ImportAsync(writer, "warmup", 20_000, customers, identifiedEvery, year: 2019);
        await WaitAppliedAsync(reader, 2019, 20_000);

        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var peak = process.WorkingSet64;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(200);
            }
        });
        using var cost = new ProcessCost();
        var clock = Stopwatch.StartNew();
        var report = await ImportAsync(writer, "bench", orders, customers, identifiedEvery, year: 2023);
        var uploaded = clock.Elapsed;
        await WaitAppliedAsync(reader, 2023, orders);
        var applied = clock.Elapsed;
        await sampling.CancelAsync();
        await sampler;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);

        Console.WriteLine($"import    {report.GetProperty("rows").GetInt64():N0} rows, {report.GetProperty("orders").GetInt64():N0} orders, {report.GetProperty("badRows").GetInt64()} bad");
        Console.WriteLine($"upload    {orders / uploaded.TotalSeconds:N0} orders/s read, checked and on the feed ({uploaded.TotalSeconds:F1} s)");
        Console.WriteLine($"applied   {orders / applied.TotalSeconds:N0} orders/s end to end, every order kept in its grain ({applied.TotalSeconds:F1} s)");
        Console.WriteLine($"memory    peak working set {peak / 1024.0 / 1024:N0} MB; managed heap {heapBefore / 1024.0 / 1024:N0} → {heapAfter / 1024.0 / 1024:N0} MB ({(heapAfter - heapBefore) / (double)orders:N0} B per kept order, in-memory grain storage)");
        Console.WriteLine(cost.Summary(orders));
        if (args.Int("hold-seconds", 0) is > 0 and var hold)
        {
            // Time to take a heap dump of what the import left behind (dotnet-gcdump collect -p <pid>).
            Console.WriteLine($"holding {hold} s for inspection (pid {Environment.ProcessId})");
            await Task.Delay(TimeSpan.FromSeconds(hold));
        }
        return 0;
    }

    private static async Task<JsonElement> ImportAsync(HttpClient writer, string id, int orders, int customers, int identifiedEvery, int year)
    {
        var response = await writer.PostAsync($"/v1/orders/import?preset=kiotviet&importId={id}",
            new GeneratedCsv(orders, customers, identifiedEvery, year));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"import answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task WaitAppliedAsync(HttpClient reader, int year, int orders)
    {
        while (true)
        {
            var kpis = await reader.GetFromJsonAsync<JsonElement>($"/api/masterdata/kpis?from={year}-01-01&to={year + 1}-12-31");
            if (kpis.GetProperty("totals").GetProperty("orders").GetInt64() >= orders)
            {
                return;
            }
            await Task.Delay(100);
        }
    }

    /// <summary>A KiotViet export written row by row into the request as it is sent.</summary>
    private sealed class GeneratedCsv : HttpContent
    {
        private readonly int orders, customers, identifiedEvery, year;

        public GeneratedCsv(int orders, int customers, int identifiedEvery, int year)
        {
            (this.orders, this.customers, this.identifiedEvery, this.year) = (orders, customers, identifiedEvery, year);
            Headers.ContentType = new("text/csv") { CharSet = "utf-8" };
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var start = new DateTime(year, 1, 1, 8, 0, 0);
            var text = new StringBuilder(64 * 1024);
            text.Append(Header).Append('\n');
            for (var i = 0; i < orders; i++)
            {
                var known = i % identifiedEvery == 0;
                var phone = known ? "09" + (10_000_000 + i / identifiedEvery % customers).ToString(CultureInfo.InvariantCulture) : "";
                var total = 50_000 + i % 40 * 25_000;
                text.Append("HD").Append(year).Append('-').Append(i.ToString("D7", CultureInfo.InvariantCulture)).Append(',')
                    .Append(start.AddSeconds(i * 30).ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture)).Append(',')
                    .Append("CN").Append((i % 20).ToString("D2", CultureInfo.InvariantCulture)).Append(',')
                    .Append(known ? "Nguyễn Thị Hồng" : "Khách lẻ").Append(',')
                    .Append(phone).Append(',')
                    .Append(total).Append(",Hoàn thành,SP")
                    .Append((i % 5_000).ToString("D4", CultureInfo.InvariantCulture)).Append(",Áo thun cổ tròn,1,")
                    .Append(total).Append('\n');
                if (text.Length > 60 * 1024)
                {
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
                    text.Clear();
                }
            }
            await stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
