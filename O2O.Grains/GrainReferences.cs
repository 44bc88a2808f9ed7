namespace O2O.Grains;

/// <summary>
/// Grain references for the hot path. <c>IGrainFactory.GetGrain&lt;T&gt;(string)</c> works out the
/// grain interface type from the interface on every call, and for interfaces named by
/// convention Orleans formats the type's name each time: a string parse and a handful of allocations
/// per reference, several references per event. The first reference per interface records the
/// interface type and grain type it was given; later ones are built from those directly.
/// </summary>
public static class GrainReferences
{
    /// <summary>The same reference <c>GetGrain&lt;T&gt;(key)</c> returns, without resolving the interface type again.</summary>
    public static T Get<T>(this IGrainFactory grains, string key) where T : IGrainWithStringKey
    {
        if (Resolved<T>.Types is { } types)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(key);
            return (T)grains.GetGrain(GrainId.Create(types.Grain, IdSpan.Create(key)), types.Interface);
        }
        var grain = grains.GetGrain<T>(key);
        if (grain is GrainReference reference && !IsSystemType(reference.GrainId.Type))
        {
            // A client that has not received the cluster's manifest yet gets a placeholder ("sys.…")
            // grain type, resolved later: that one is not remembered.
            Resolved<T>.Types = (reference.GrainId.Type, reference.InterfaceType);
        }
        return grain;
    }

    private static bool IsSystemType(GrainType type) => type.AsSpan().StartsWith("sys."u8);

    private static class Resolved<T>
    {
        public static (GrainType Grain, GrainInterfaceType Interface)? Types;
    }
}
