using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using O2O.Tests.Infrastructure;

namespace O2O.Tests.Orders;

/// <summary>
/// Bulk import of order history through the real Api, its event feed and its embedded silo. Runs
/// alone: a 100,000-order import floods every listener in the process (the telemetry tests' span
/// exporter drops what it cannot queue), so it must not share the time with them.
/// </summary>
[Collection(BulkImportCollection.Name)]
public sealed class OrderImportTests(ApiFactory api)
{
    private const string KiotVietHeader =
        "Mã hóa đơn,Thời gian,Chi nhánh,Mã khách hàng,Tên khách hàng,Điện thoại,Tổng tiền hàng,Giảm giá hóa đơn,Khách cần trả,Khách đã trả,Trạng thái,Mã hàng,Tên hàng,Số lượng,Đơn giá";

    /// <summary>Row index (0-based, data rows) → what is wrong with it and the column the report must name.</summary>
    private static readonly Dictionary<int, (string Column, Func<string[], string[]> Break)> Defects = new()
    {
        [17] = ("Mã hóa đơn", r => Set(r, 0, "")),
        [4_242] = ("Thời gian", r => Set(r, 1, "31/02/2024 10:00:00")),
        [9_999] = ("Khách cần trả", r => Set(r, 8, "mười nghìn")),
        [23_456] = ("Điện thoại", r => Set(r, 5, "12345")),
        [40_000] = ("Trạng thái", r => Set(r, 10, "Đang bay")),
        [55_555] = ("Số lượng", r => Set(r, 13, "0")),
        [61_001] = ("Số lượng", r => Set(r, 13, "-2")),
        [77_777] = ("Đơn giá", r => Set(r, 14, "x1000")),
        [88_888] = ("Thời gian", r => Set(r, 1, "")),
        [99_998] = ("Thời gian", r => Set(r, 1, "01/01/2099 10:00:00")),
    };

    [Fact, Trait("Category", "Slow")]
    public async Task AHundredThousandRowKiotVietFileKeepsItsGoodRowsReportsEachBadLineAndImportingAgainChangesNothing()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var (file, phoneRows) = KiotVietFile(run, 100_000);
        var writer = api.Writer();
        writer.Timeout = TimeSpan.FromMinutes(10);

        var first = await ImportAsync(writer, file, $"kv-{run}-1");
        first.GetProperty("status").GetString().ShouldBe("Completed");
        first.GetProperty("rows").GetInt64().ShouldBe(100_000);
        first.GetProperty("orders").GetInt64().ShouldBe(99_990);
        first.GetProperty("badRows").GetInt64().ShouldBe(10);
        var errors = first.GetProperty("errors").EnumerateArray()
            .Select(e => (Line: e.GetProperty("line").GetInt64(), Field: e.GetProperty("field").GetString())).ToList();
        // Line 1 is the header, so data row i sits on line i + 2.
        errors.ShouldBe([.. Defects.OrderBy(d => d.Key).Select(d => ((long)d.Key + 2, d.Value.Column))]);

        var kept = await KpisWhenAsync(k => k.GetProperty("orders").GetInt64() >= 99_990);
        kept.GetProperty("orders").GetInt64().ShouldBe(99_990);
        kept.GetProperty("offlineOrders").GetInt64().ShouldBe(99_990);
        var identifiedAtSale = kept.GetProperty("offlineIdentifiedAtSale").GetInt64();
        identifiedAtSale.ShouldBe(phoneRows.Values.Sum());

        var order = await api.Reader().GetFromJsonAsync<JsonElement>($"/api/orders/HD{run}-000123");
        order.GetProperty("total").GetInt64().ShouldBe(RowTotal(123));
        order.GetProperty("items")[0].GetProperty("sku").GetString().ShouldBe("SP0123");
        order.GetProperty("storeId").GetString().ShouldBe($"chi-nhanh-{run}-quan-10");
        var storesBefore = await StoreOrdersAsync(run);
        storesBefore.ShouldBe(99_990);
        var (phone, orders) = phoneRows.First();
        var profile = await Eventually.GetJsonAsync(api.Reader(), $"/api/profiles?phone={Uri.EscapeDataString(phone)}",
            p => p.GetProperty("totals").GetProperty("orders").GetInt32() == orders);

        var second = await ImportAsync(writer, file, $"kv-{run}-2");
        second.GetProperty("orders").GetInt64().ShouldBe(99_990);
        second.GetProperty("badRows").GetInt64().ShouldBe(10);
        var after = await KpisWhenAsync(k => k.GetProperty("ordersRepeated").GetInt64() >= 99_990);
        after.GetProperty("ordersRepeated").GetInt64().ShouldBe(99_990);
        after.GetProperty("orders").GetInt64().ShouldBe(99_990);
        after.GetProperty("offlineIdentifiedAtSale").GetInt64().ShouldBe(identifiedAtSale);
        (await StoreOrdersAsync(run)).ShouldBe(storesBefore);
        var again = await api.Reader().GetFromJsonAsync<JsonElement>($"/api/profiles/{profile.GetProperty("profileId").GetString()}");
        again.GetProperty("totals").GetProperty("orders").GetInt32().ShouldBe(orders);
        again.GetProperty("totals").GetProperty("revenue").GetInt64().ShouldBe(profile.GetProperty("totals").GetProperty("revenue").GetInt64());
    }

    [Fact]
    public async Task AShopifyExportGroupsLineItemsIntoOneOrderAndProgressCanBeRead()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var csv = $"""
            Name,Email,Financial Status,Paid at,Currency,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Phone,Cancelled at,Payment Method,Location
            #{run}-1001,an@example.vn,paid,2022-03-01 10:00:00 +0700,VND,"1,700,000",2022-03-01 10:00:00 +0700,1,Áo dài lụa,1500000,AD-01,Nguyễn Văn An,0901234567,,Bank Deposit,
            #{run}-1001,,,,,,2022-03-01 10:00:00 +0700,2,Khăn lụa,100000,KL-02,,,,,
            #{run}-1002,binh@example.vn,refunded,,VND,250000,2022-03-02 11:30:00 +0700,1,Túi vải,250000,TV-01,Trần Bình,,,,
            """;
        var response = await api.Writer().PostAsync($"/v1/orders/import?preset=shopify&importId=sh-{run}",
            new StringContent(csv, Encoding.UTF8, "text/csv"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        report.GetProperty("rows").GetInt64().ShouldBe(3);
        report.GetProperty("orders").GetInt64().ShouldBe(2);
        report.GetProperty("badRows").GetInt64().ShouldBe(0);

        var status = await api.Writer().GetFromJsonAsync<JsonElement>($"/v1/orders/imports/sh-{run}");
        status.GetProperty("status").GetString().ShouldBe("Completed");
        var order = await Eventually.GetJsonAsync(api.Reader(), $"/api/orders/%23{run}-1001");
        order.GetProperty("total").GetInt64().ShouldBe(1_700_000);
        order.GetProperty("items").GetArrayLength().ShouldBe(2);
        order.GetProperty("source").GetString().ShouldBe("Web");
        order.GetProperty("paymentMethod").GetString().ShouldBe("Bank Deposit");
        var refunded = await Eventually.GetJsonAsync(api.Reader(), $"/api/orders/%23{run}-1002");
        refunded.GetProperty("status").GetString().ShouldBe("Returned");
    }

    [Fact]
    public async Task AFileWithoutTheOrderIdColumnIsRefusedBeforeAnyRowIsRead()
    {
        var response = await api.Writer().PostAsync("/v1/orders/import?preset=kiotviet",
            new StringContent("Mã hàng,Tên hàng\nSP01,Áo\n", Encoding.UTF8, "text/csv"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").GetProperty("header")[0].GetString()!.ShouldContain("Mã hóa đơn");
    }

    [Fact]
    public async Task JsonLinesImportReportsBadLinesByNumberAndKeepsTheRest()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var lines = string.Join('\n',
            $$"""{"orderId":"J{{run}}-1","source":"pos","storeId":"HCM01","total":100000,"timestamp":"2022-05-01T03:00:00Z"}""",
            $$"""{"orderId":"J{{run}}-2","source":"tivi","total":1}""",
            "not json",
            "",
            $$"""{"orderId":"J{{run}}-3","source":"web","total":200000,"customer":{"phone":"0912345678"},"timestamp":"2022-05-01T04:00:00Z"}""");
        var response = await api.Writer().PostAsync("/v1/orders/import", new StringContent(lines, Encoding.UTF8, "application/x-ndjson"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        report.GetProperty("orders").GetInt64().ShouldBe(2);
        report.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt64(), e.GetProperty("field").GetString()))
            .ShouldBe([(2L, "source"), (3L, "body")]);
        (await Eventually.GetJsonAsync(api.Reader(), $"/api/orders/J{run}-3")).GetProperty("total").GetInt64().ShouldBe(200_000);
    }

    [Fact]
    public async Task AReturnedOrderTakesItsRevenueBackFromTheProfileOnce()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var phone = MasterData.TestPhones.NewLocal();
        string Body(string status) => $$"""
            {"orderId":"R{{run}}","source":"pos","storeId":"HCM01","status":"{{status}}","paymentMethod":"cash",
             "customer":{"phone":"{{phone}}"},"items":[{"sku":"ao","quantity":1,"price":300000}],"total":300000}
            """;
        var writer = api.Writer();
        (await writer.PostAsync("/v1/orders", new StringContent(Body("paid"), Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var url = $"/api/profiles?phone=%2B84{phone[1..]}";
        await Eventually.GetJsonAsync(api.Reader(), url, p => p.GetProperty("totals").GetProperty("revenue").GetInt64() == 300_000);

        (await writer.PostAsync("/v1/orders", new StringContent(Body("paid"), Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await writer.PostAsync("/v1/orders", new StringContent(Body("returned"), Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await writer.PostAsync("/v1/orders", new StringContent(Body("returned"), Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var profile = await Eventually.GetJsonAsync(api.Reader(), url, p => p.GetProperty("totals").GetProperty("revenue").GetInt64() == 0);
        profile.GetProperty("totals").GetProperty("orders").GetInt32().ShouldBe(0);
        var order = await api.Reader().GetFromJsonAsync<JsonElement>($"/api/orders/R{run}");
        order.GetProperty("status").GetString().ShouldBe("Returned");
        order.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()).ShouldBe(["Paid", "Returned"]);
    }

    private static async Task<JsonElement> ImportAsync(HttpClient writer, byte[] file, string importId)
    {
        var response = await writer.PostAsync($"/v1/orders/import?preset=kiotviet&importId={importId}",
            new StreamContent(new MemoryStream(file)) { Headers = { ContentType = new("text/csv") } });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The 2024 totals (the file's orders are all in 2024; other tests use other years).</summary>
    private async Task<JsonElement> KpisWhenAsync(Func<JsonElement, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        JsonElement totals = default;
        while (DateTime.UtcNow < deadline)
        {
            var report = await api.Reader().GetFromJsonAsync<JsonElement>("/api/masterdata/kpis?from=2024-01-01&to=2024-12-31");
            totals = report.GetProperty("totals");
            if (until(totals))
            {
                return totals;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The imported orders were not all applied within 5 minutes; last: {totals}");
    }

    private async Task<long> StoreOrdersAsync(string run)
    {
        long sum = 0;
        foreach (var district in new[] { 1, 3, 7, 10 })
        {
            var store = await api.Reader().GetFromJsonAsync<JsonElement>($"/api/stores/chi-nhanh-{run}-quan-{district}");
            sum += store.GetProperty("orders").GetInt64();
        }
        return sum;
    }

    private static long RowTotal(int i) => 50_000 + (i % 40) * 25_000;

    /// <summary>A KiotViet invoice export: mostly anonymous buyers, a third with phones from a pool, Vietnamese text.</summary>
    private static (byte[] File, Dictionary<string, int> PhoneRows) KiotVietFile(string run, int rows)
    {
        var phoneRows = new Dictionary<string, int>();
        var text = new StringBuilder(rows * 160);
        text.Append(KiotVietHeader).Append('\n');
        var districts = new[] { 1, 3, 7, 10 };
        var start = new DateTime(2024, 1, 1, 8, 0, 0);
        for (var i = 0; i < rows; i++)
        {
            var phone = i % 3 == 0 ? "09" + (10_000_000 + (i / 3 % 2_000)).ToString(CultureInfo.InvariantCulture) : "";
            var total = RowTotal(i);
            var row = new[]
            {
                $"HD{run}-{i:D6}",
                start.AddMinutes(i * 5).ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture),
                $"Chi nhánh {run} Quận {districts[i % 4]}",
                phone.Length > 0 ? "KH" + phone[2..] : "",
                phone.Length > 0 ? "Nguyễn Thị Hồng" : "Khách lẻ",
                phone,
                total.ToString(CultureInfo.InvariantCulture),
                "0",
                total.ToString(CultureInfo.InvariantCulture),
                total.ToString(CultureInfo.InvariantCulture),
                "Hoàn thành",
                $"SP{i % 10_000:D4}",
                "Áo thun cổ tròn",
                "1",
                total.ToString(CultureInfo.InvariantCulture),
            };
            if (Defects.TryGetValue(i, out var defect))
            {
                row = defect.Break(row);
            }
            else if (phone.Length > 0)
            {
                var e164 = "+84" + phone[1..];
                phoneRows[e164] = phoneRows.GetValueOrDefault(e164) + 1;
            }
            text.AppendJoin(',', row).Append('\n');
        }
        return (Encoding.UTF8.GetBytes(text.ToString()), phoneRows);
    }

    private static string[] Set(string[] row, int at, string value)
    {
        var copy = (string[])row.Clone();
        copy[at] = value;
        return copy;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BulkImportCollection
{
    public const string Name = "bulk-import";
}
