using System.Text;
using O2O.Grains.Events;

namespace O2O.Api.Orders;

/// <summary>
/// Which column of an export holds what. Each field lists the header names the source system is
/// known to use, first match wins; headers are compared without case, surrounding spaces or
/// Unicode composition differences.
/// </summary>
public sealed record ImportColumns
{
    public required string[] OrderId { get; init; }
    public required string[] PlacedAt { get; init; }
    public string[] Store { get; init; } = [];
    public string[] CustomerName { get; init; } = [];
    public string[] Phone { get; init; } = [];
    public string[] Email { get; init; } = [];
    public string[] Total { get; init; } = [];
    public string[] Status { get; init; } = [];
    public string[] CancelledAt { get; init; } = [];
    public string[] PaymentMethod { get; init; } = [];
    public string[] Sku { get; init; } = [];
    public string[] ItemName { get; init; } = [];
    public string[] Quantity { get; init; } = [];
    public string[] Price { get; init; } = [];
}

/// <summary>
/// An export format: where its orders come from and how its columns are named. Marketplaces mask
/// buyers' phones in exports (<see cref="MaskedPhones"/>): a phone that does not parse is then left out, not an error.
/// </summary>
public sealed record OrderImportPreset(string Name, OrderSource Source, ImportColumns Columns, bool MaskedPhones = false);

/// <summary>
/// Mapping presets for the exports Vietnamese retailers have, with the column names of each
/// system's order export as best known; a file whose headers differ is refused up front with the
/// headers each field accepts, so a new variant is one line here.
/// </summary>
public static class OrderImportPresets
{
    /// <summary>KiotViet, "Hóa đơn" export with item detail: one row per line, invoice columns repeated.</summary>
    public static readonly OrderImportPreset KiotViet = new("kiotviet", OrderSource.Pos, new ImportColumns
    {
        OrderId = ["Mã hóa đơn"],
        PlacedAt = ["Thời gian", "Thời gian tạo", "Ngày tạo"],
        Store = ["Mã chi nhánh", "Chi nhánh"],
        CustomerName = ["Tên khách hàng", "Khách hàng"],
        Phone = ["Điện thoại", "Số điện thoại"],
        Email = ["Email"],
        Total = ["Khách cần trả", "Tổng sau giảm giá", "Tổng tiền hàng"],
        Status = ["Trạng thái"],
        PaymentMethod = ["Phương thức thanh toán", "Phương thức"],
        Sku = ["Mã hàng"],
        ItemName = ["Tên hàng"],
        Quantity = ["Số lượng"],
        Price = ["Đơn giá", "Giá bán"],
    });

    /// <summary>Nhanh.vn, order list export (retail and online orders of its POS).</summary>
    public static readonly OrderImportPreset Nhanh = new("nhanh", OrderSource.Pos, new ImportColumns
    {
        OrderId = ["ID", "Mã đơn hàng", "Mã đơn"],
        PlacedAt = ["Ngày tạo", "Ngày", "Ngày mua"],
        Store = ["Cửa hàng", "Kho hàng", "Kho", "Chi nhánh"],
        CustomerName = ["Tên khách hàng", "Khách hàng"],
        Phone = ["Số điện thoại", "Điện thoại", "SĐT"],
        Email = ["Email"],
        Total = ["Tổng tiền", "Khách phải trả", "Tiền thu"],
        Status = ["Trạng thái"],
        PaymentMethod = ["Hình thức thanh toán", "Phương thức thanh toán"],
        Sku = ["Mã sản phẩm", "Mã SP"],
        ItemName = ["Tên sản phẩm"],
        Quantity = ["Số lượng", "SL"],
        Price = ["Giá", "Đơn giá", "Giá bán"],
    });

    /// <summary>Shopify, Orders export CSV: one row per line item, order columns filled on the first.</summary>
    public static readonly OrderImportPreset Shopify = new("shopify", OrderSource.Web, new ImportColumns
    {
        OrderId = ["Name", "Id"],
        PlacedAt = ["Created at"],
        Store = ["Location"],
        CustomerName = ["Billing Name", "Shipping Name"],
        Phone = ["Phone", "Billing Phone", "Shipping Phone"],
        Email = ["Email"],
        Total = ["Total"],
        Status = ["Financial Status"],
        CancelledAt = ["Cancelled at"],
        PaymentMethod = ["Payment Method"],
        Sku = ["Lineitem sku"],
        ItemName = ["Lineitem name"],
        Quantity = ["Lineitem quantity"],
        Price = ["Lineitem price"],
    });

    /// <summary>Haravan, order export: Shopify's layout, with its Vietnamese header variants.</summary>
    public static readonly OrderImportPreset Haravan = new("haravan", OrderSource.Web, Shopify.Columns with
    {
        OrderId = ["Name", "Mã đơn hàng"],
        PlacedAt = ["Created at", "Ngày đặt hàng", "Ngày tạo"],
        Store = ["Location", "Chi nhánh", "Cửa hàng"],
        CustomerName = ["Billing Name", "Tên khách hàng", "Shipping Name"],
        Phone = ["Phone", "Billing Phone", "Số điện thoại", "Shipping Phone"],
        Total = ["Total", "Tổng tiền"],
        Status = ["Financial Status", "Trạng thái thanh toán"],
        Sku = ["Lineitem sku", "Mã SKU"],
        ItemName = ["Lineitem name", "Tên sản phẩm"],
        Quantity = ["Lineitem quantity", "Số lượng"],
        Price = ["Lineitem price", "Giá"],
    });

    /// <summary>Shopee Seller Centre, "Đơn hàng" export (Vietnamese headers): one row per product.</summary>
    public static readonly OrderImportPreset Shopee = new("shopee", OrderSource.Marketplace, new ImportColumns
    {
        OrderId = ["Mã đơn hàng"],
        PlacedAt = ["Ngày đặt hàng"],
        CustomerName = ["Tên Người nhận", "Người Mua"],
        Phone = ["Số điện thoại"],
        Total = ["Tổng giá trị đơn hàng (VND)", "Tổng số tiền người mua thanh toán"],
        Status = ["Trạng Thái Đơn Hàng"],
        PaymentMethod = ["Phương thức thanh toán"],
        Sku = ["SKU phân loại hàng", "SKU sản phẩm"],
        ItemName = ["Tên sản phẩm"],
        Quantity = ["Số lượng"],
        Price = ["Giá ưu đãi", "Giá gốc"],
    }, MaskedPhones: true);

    /// <summary>TikTok Shop Seller Center, order export (English headers): one row per SKU.</summary>
    public static readonly OrderImportPreset TikTokShop = new("tiktokshop", OrderSource.Marketplace, new ImportColumns
    {
        OrderId = ["Order ID"],
        PlacedAt = ["Created Time", "Paid Time"],
        CustomerName = ["Recipient", "Buyer Username"],
        Phone = ["Phone #", "Phone"],
        Total = ["Order Amount"],
        Status = ["Order Status"],
        CancelledAt = ["Cancelled Time"],
        PaymentMethod = ["Payment Method"],
        Sku = ["Seller SKU", "SKU ID"],
        ItemName = ["Product Name"],
        Quantity = ["Quantity"],
        Price = ["SKU Unit Original Price", "SKU Subtotal After Discount"],
    }, MaskedPhones: true);

    public static readonly IReadOnlyDictionary<string, OrderImportPreset> All =
        new[] { KiotViet, Nhanh, Shopify, Haravan, Shopee, TikTokShop }.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Statuses as the exports write them, lower-cased and composed. Anything not listed is a bad
    /// row: guessing whether an unknown status counts as revenue would corrupt the reports quietly.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, OrderStatus> Statuses = new Dictionary<string, OrderStatus>(StringComparer.Ordinal)
    {
        ["hoàn thành"] = OrderStatus.Paid, ["đã thanh toán"] = OrderStatus.Paid, ["thành công"] = OrderStatus.Paid,
        ["đã giao"] = OrderStatus.Paid, ["đã giao hàng"] = OrderStatus.Paid, ["giao thành công"] = OrderStatus.Paid,
        ["paid"] = OrderStatus.Paid, ["completed"] = OrderStatus.Paid, ["complete"] = OrderStatus.Paid,
        ["delivered"] = OrderStatus.Paid, ["fulfilled"] = OrderStatus.Paid, ["shipped"] = OrderStatus.Paid,
        ["đã hủy"] = OrderStatus.Cancelled, ["đã huỷ"] = OrderStatus.Cancelled, ["hủy"] = OrderStatus.Cancelled, ["huỷ"] = OrderStatus.Cancelled,
        ["cancelled"] = OrderStatus.Cancelled, ["canceled"] = OrderStatus.Cancelled, ["voided"] = OrderStatus.Cancelled,
        ["trả hàng"] = OrderStatus.Returned, ["đã trả hàng"] = OrderStatus.Returned, ["hoàn trả"] = OrderStatus.Returned,
        ["trả hàng/hoàn tiền"] = OrderStatus.Returned, ["đã hoàn tiền"] = OrderStatus.Returned,
        ["returned"] = OrderStatus.Returned, ["refunded"] = OrderStatus.Returned,
        ["đang xử lý"] = OrderStatus.Placed, ["chờ xác nhận"] = OrderStatus.Placed, ["chờ lấy hàng"] = OrderStatus.Placed,
        ["đang giao"] = OrderStatus.Placed, ["đang giao hàng"] = OrderStatus.Placed, ["phiếu tạm"] = OrderStatus.Placed,
        ["pending"] = OrderStatus.Placed, ["placed"] = OrderStatus.Placed, ["processing"] = OrderStatus.Placed,
        ["unpaid"] = OrderStatus.Placed, ["authorized"] = OrderStatus.Placed, ["partially_paid"] = OrderStatus.Placed,
        ["awaiting shipment"] = OrderStatus.Placed, ["awaiting collection"] = OrderStatus.Placed, ["in transit"] = OrderStatus.Placed,
        ["to ship"] = OrderStatus.Placed,
    };

    /// <summary>How headers and statuses are compared.</summary>
    public static string Fold(string value) => value.Trim().Normalize(NormalizationForm.FormC).ToLowerInvariant();
}
