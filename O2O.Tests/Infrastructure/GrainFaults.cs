using System.Collections.Concurrent;

namespace O2O.Tests.Infrastructure;

/// <summary>
/// Faults the test cluster's silos inject into real grain calls: a call to one method of one
/// tenant's grains fails before it runs (the grain never saw it) or after (the grain did its work,
/// the caller hears a failure, as when a response is lost or a silo dies mid-call). Keyed by tenant,
/// so tests running at once never trip over each other's faults.
/// </summary>
public static class GrainFaults
{
    private static readonly ConcurrentDictionary<(string Tenant, string Method), Fault> Pending = new();

    public enum When
    {
        BeforeCall,
        AfterCall,
    }

    /// <summary>The next <paramref name="times"/> calls of <paramref name="method"/> on the tenant's grains fail.</summary>
    public static void Fail(string tenant, string method, When when, int times = 1) =>
        Pending[(tenant, method)] = new Fault(when, times);

    internal static Fault? Take(string tenant, string method)
    {
        if (!Pending.TryGetValue((tenant, method), out var fault))
        {
            return null;
        }
        if (Interlocked.Decrement(ref fault.Remaining) < 0)
        {
            Pending.TryRemove((tenant, method), out _);
            return null;
        }
        return fault;
    }

    internal sealed class Fault(When when, int times)
    {
        public readonly When When = when;
        public int Remaining = times;
    }
}

/// <summary>The silo side of <see cref="GrainFaults"/>.</summary>
internal sealed class GrainFaultFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        var key = context.TargetId.Key.ToString();
        var slash = key?.IndexOf('/') ?? -1;
        var fault = slash > 0 ? GrainFaults.Take(key![..slash], context.InterfaceMethod.Name) : null;
        if (fault?.When == GrainFaults.When.BeforeCall)
        {
            throw new TimeoutException($"Injected fault before {context.InterfaceMethod.Name}");
        }
        await context.Invoke();
        if (fault?.When == GrainFaults.When.AfterCall)
        {
            throw new TimeoutException($"Injected fault after {context.InterfaceMethod.Name}");
        }
    }
}
