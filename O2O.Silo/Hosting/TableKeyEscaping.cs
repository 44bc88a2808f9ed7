using System.Globalization;
using System.Text;
using Orleans.Storage;

namespace O2O.Silo.Hosting;

/// <summary>
/// Orleans' Azure Table provider turns a grain id into a row key by replacing <c>/ \ # ?</c> with
/// <c>_</c> and passes control characters through. Our grain keys carry what people send (user ids,
/// campaign names), so two identities such as <c>user:a/b</c> and <c>user:a_b</c> would share one
/// row, and a key with a control character could never be written. This hands the provider a grain
/// id whose key has those characters escaped (<c>~XX</c>, hex), one-to-one, so it never meets them.
/// Everything else (ETags, size limits, the serializer, the table) stays the provider's.
/// </summary>
public sealed class TableKeyEscaping(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private const char Escape = '~';

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, Escaped(grainId), grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.WriteStateAsync(stateName, Escaped(grainId), grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, Escaped(grainId), grainState);

    public void Participate(ISiloLifecycle observer) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(observer);

    public static GrainId Escaped(GrainId grainId)
    {
        var key = grainId.Key.ToString()!;
        return key.AsSpan().IndexOfAny(Special) < 0 && !key.Any(char.IsControl)
            ? grainId
            : GrainId.Create(grainId.Type, EscapeKey(key));
    }

    /// <summary>The key with <c>/ \ # ? _ ~</c> and control characters as <c>~XX</c>.</summary>
    public static string EscapeKey(string key)
    {
        var escaped = new StringBuilder(key.Length + 8);
        foreach (var c in key)
        {
            if (Special.Contains(c) || char.IsControl(c))
            {
                escaped.Append(Escape).Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }
        return escaped.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> Special = System.Buffers.SearchValues.Create("/\\#?_~");
}

public static class TableKeyEscapingExtensions
{
    /// <summary>Wraps each named grain storage (registered by its provider) in <see cref="TableKeyEscaping"/>.</summary>
    public static IServiceCollection EscapeTableKeys(this IServiceCollection services, IEnumerable<string> storageNames)
    {
        foreach (var name in storageNames)
        {
            services.WrapGrainStorage(name, (_, inner) => new TableKeyEscaping(inner));
        }
        return services;
    }

    /// <summary>Replaces the grain storage registered under <paramref name="name"/> with what <paramref name="wrap"/> makes of it.</summary>
    public static IServiceCollection WrapGrainStorage(this IServiceCollection services, string name, Func<IServiceProvider, IGrainStorage, IGrainStorage> wrap)
    {
        var original = services.LastOrDefault(d => d.IsKeyedService && d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, name))
            ?? throw new InvalidOperationException($"Grain storage '{name}' is configured for Table storage but no provider registered it.");
        services.Remove(original);
        services.AddKeyedSingleton<IGrainStorage>(name, (provider, key) => wrap(provider, Create(original, provider, key)));
        return services;
    }

    private static IGrainStorage Create(ServiceDescriptor original, IServiceProvider provider, object? key) =>
        original.KeyedImplementationFactory is { } factory ? (IGrainStorage)factory(provider, key)
        : original.KeyedImplementationInstance is IGrainStorage instance ? instance
        : (IGrainStorage)ActivatorUtilities.CreateInstance(provider, original.KeyedImplementationType!);
}
