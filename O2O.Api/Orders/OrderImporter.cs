using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using O2O.Api.Ingestion;
using O2O.Grains;
using O2O.Grains.Events;
using O2O.Grains.Ingestion;
using O2O.Grains.Orders;

namespace O2O.Api.Orders;

/// <summary>The shape of an upload.</summary>
public enum ImportFormat
{
    /// <summary>An export with a header row, through a mapping preset.</summary>
    Csv = 1,
    /// <summary>One <c>/v1/orders</c> body per line.</summary>
    JsonLines = 2,
}

/// <summary>Why an upload was refused before any row was read.</summary>
public sealed class ImportRefusedException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// Reads an order-history upload as it arrives, row by row: good rows become order events on the
/// event feed in batches (waiting when the feed is full, never buffering the file), bad rows are
/// reported with their line and reason, and the import grain hears the progress as it goes.
/// Memory stays flat whatever the file's size: one batch of events and one order's lines at a time.
/// </summary>
public sealed partial class OrderImporter(EventParser parser, IEventFeed feed, IGrainFactory grains, TimeProvider clock, ILogger<OrderImporter> logger)
{
    public const int PublishBatch = 500;
    public const int ReportEveryRows = 5_000;
    public const int MaxJsonLineBytes = 32 * 1024;

    public async Task<ImportView> RunAsync(
        string tenant, string importId, ImportFormat format, OrderImportPreset? preset, string? defaultStore, Stream body, CancellationToken ct)
    {
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
        var grain = grains.GetGrain<IOrderImportGrain>(TenantKey.Compose(tenant, importId));
        var sink = new Sink(feed, grain, clock, ct);
        try
        {
            if (format == ImportFormat.Csv)
            {
                await ReadCsvAsync(tenant, preset!, defaultStore, reader, sink);
            }
            else
            {
                await ReadJsonLinesAsync(tenant, reader, sink, ct);
            }
            await sink.FlushAsync(final: true);
            await grain.FinishAsync(ImportStatus.Completed, null);
            LogImported(logger, tenant, importId, sink.TotalRows, sink.TotalOrders, sink.TotalBad);
        }
        catch (Exception ex) when (ex is not ImportRefusedException && sink.Started)
        {
            // The upload broke off (client gone, connection reset): what was read is kept and counted.
            await sink.FlushAsync(final: true, cancellable: false);
            await grain.FinishAsync(ImportStatus.Failed, ex is OperationCanceledException ? "the upload was cancelled" : "the upload broke off: " + ex.GetType().Name);
            LogImportFailed(logger, tenant, importId, sink.TotalRows, ex.GetType().Name);
            throw;
        }
        return (await grain.GetAsync())!;
    }

    private async Task ReadCsvAsync(string tenant, OrderImportPreset preset, string? defaultStore, StreamReader reader, Sink sink)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            DetectDelimiter = true,
            BadDataFound = null,
            MissingFieldFound = null,
            IgnoreBlankLines = true,
        };
        using var csv = new CsvParser(reader, config);
        if (!await csv.ReadAsync())
        {
            throw new ImportRefusedException("body", "The file is empty: a header row is expected.");
        }
        var (map, problem) = ColumnMap.Resolve(preset.Columns, csv.Record ?? [], preset);
        if (map is null)
        {
            throw new ImportRefusedException("header", problem!);
        }
        await sink.StartAsync(new ImportStart(preset.Name, "csv", clock.GetUtcNow()));

        var now = clock.GetUtcNow();
        var lastLine = (long)csv.RawRow;
        Pending? pending = null;
        while (await csv.ReadAsync())
        {
            var line = lastLine + 1;
            lastLine = csv.RawRow;
            var record = csv.Record;
            if (record is null || record.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }
            sink.Row();
            var (row, field, reason) = ImportRow.Parse(record, map, preset, defaultStore, now);
            if (row is null)
            {
                sink.Bad(new ImportRowError(line, field!, reason!));
                continue;
            }
            if (pending is not null && pending.First.OrderId != row.OrderId)
            {
                await sink.AddAsync(pending.ToEvent(tenant, preset.Source));
                pending = null;
            }
            (pending ??= new Pending(row)).Add(row);
        }
        if (pending is not null)
        {
            await sink.AddAsync(pending.ToEvent(tenant, preset.Source));
        }
    }

    private async Task ReadJsonLinesAsync(string tenant, StreamReader reader, Sink sink, CancellationToken ct)
    {
        await sink.StartAsync(new ImportStart("json", "jsonl", clock.GetUtcNow()));
        long line = 0;
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            sink.Row();
            if (Encoding.UTF8.GetByteCount(text) > MaxJsonLineBytes)
            {
                sink.Bad(new ImportRowError(line, "body", $"the line is larger than {MaxJsonLineBytes / 1024} KB"));
                continue;
            }
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException ex)
            {
                sink.Bad(new ImportRowError(line, "body", $"not valid JSON (byte {ex.BytePositionInLine + 1})"));
                continue;
            }
            using (document)
            {
                var (e, error) = parser.ParseOrder(document.RootElement, tenant);
                if (error is not null)
                {
                    sink.Bad(new ImportRowError(line, error.Field, error.Message));
                    continue;
                }
                await sink.AddAsync(e!);
            }
        }
    }

    /// <summary>The rows of one order seen so far (exports put an order's lines next to each other).</summary>
    private sealed class Pending(ImportRow first)
    {
        private readonly List<OrderItem> _items = [];

        public ImportRow First { get; } = first;

        public void Add(ImportRow row)
        {
            if (row.Item is { } item)
            {
                _items.Add(item);
            }
        }

        public CustomerEvent ToEvent(string tenant, OrderSource source)
        {
            var row = First;
            return new CustomerEvent
            {
                // The same id /v1/orders gives an order without a message id: an imported order and a
                // live one are the same order.
                MessageId = $"order:{(int)source}:{row.OrderId}",
                Tenant = tenant,
                Type = EventType.Order,
                Name = SegmentEvents.OrderCompleted,
                Timestamp = row.PlacedAt,
                StoreId = row.StoreId,
                Phone = row.Phone,
                Email = row.Email,
                Traits = row.CustomerName is null ? null : new Dictionary<string, string> { ["name"] = row.CustomerName },
                Order = new OrderInfo
                {
                    OrderId = row.OrderId,
                    Source = source,
                    Total = row.Total ?? _items.Sum(i => i.Price * i.Quantity),
                    Items = [.. _items],
                    CustomerName = row.CustomerName,
                    Status = row.Status,
                    PaymentMethod = row.PaymentMethod,
                },
            };
        }
    }

    /// <summary>Batches events onto the feed and progress onto the import grain.</summary>
    private sealed class Sink(IEventFeed feed, IOrderImportGrain grain, TimeProvider clock, CancellationToken ct)
    {
        private readonly List<CustomerEvent> _events = new(PublishBatch);
        private readonly List<ImportRowError> _errors = [];
        private long _rows, _orders;

        public bool Started { get; private set; }
        public long TotalRows { get; private set; }
        public long TotalOrders { get; private set; }
        public long TotalBad { get; private set; }

        public async Task StartAsync(ImportStart start)
        {
            if (!await grain.StartAsync(start))
            {
                throw new ImportRefusedException("importId", "An import with this id exists already; choose another id (or none).");
            }
            Started = true;
        }

        public void Row()
        {
            _rows++;
            TotalRows++;
        }

        public void Bad(ImportRowError error)
        {
            _errors.Add(error);
            TotalBad++;
        }

        public async Task AddAsync(CustomerEvent e)
        {
            _events.Add(e);
            _orders++;
            TotalOrders++;
            if (_events.Count >= PublishBatch)
            {
                await PublishAsync(ct);
            }
            if (_rows >= ReportEveryRows)
            {
                await FlushAsync(final: false);
            }
        }

        public async Task FlushAsync(bool final, bool cancellable = true)
        {
            if (final && _events.Count > 0)
            {
                await PublishAsync(cancellable ? ct : CancellationToken.None);
            }
            if (_rows > 0 || _errors.Count > 0 || _orders > 0)
            {
                await grain.ReportAsync(new ImportProgress(_rows, _orders, [.. _errors], clock.GetUtcNow()));
                _rows = _orders = 0;
                _errors.Clear();
            }
        }

        private async Task PublishAsync(CancellationToken token)
        {
            // The feed reserves room for the whole batch or none; when full, wait as it asks and retry.
            while (true)
            {
                var admission = await feed.PublishAsync([.. _events], token);
                if (admission.Accepted)
                {
                    break;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(50, Math.Max(1, admission.RetryAfter.TotalMilliseconds))), clock, token);
            }
            _events.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order import {ImportId} for {Tenant} done: {Rows} rows, {Orders} orders, {Bad} bad rows")]
    private static partial void LogImported(ILogger logger, string tenant, string importId, long rows, long orders, long bad);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order import {ImportId} for {Tenant} broke off after {Rows} rows: {Error}")]
    private static partial void LogImportFailed(ILogger logger, string tenant, string importId, long rows, string error);
}
