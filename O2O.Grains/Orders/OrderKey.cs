namespace O2O.Grains.Orders;

/// <summary>The key of an <see cref="IOrderGrain"/>: the tenant and the order id its source system gave it.</summary>
public readonly record struct OrderKey(string Tenant, string OrderId)
{
    public override string ToString() => TenantKey.Compose(Tenant, OrderId);

    public static OrderKey Parse(string key)
    {
        var (tenant, id) = TenantKey.Split(key);
        return new OrderKey(tenant, id);
    }

    public IOrderGrain In(IGrainFactory grains) => grains.GetGrain<IOrderGrain>(ToString());
}
