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

    /// <summary>
    /// The next <paramref name="times"/> calls of <paramref name="method"/> on the tenant's grains fail:
    /// with a timeout, or when <paramref name="refuse"/>, with the domain refusing the content for good.
    /// </summary>
    public static void Fail(string tenant, string method, When when, int times = 1, bool refuse = false) =>
        Pending[(tenant, method)] = new Fault(when, times, refuse);

    /// <summary>The fault is fixed: calls go through again.</summary>
    public static void Clear(string tenant, string method) => Pending.TryRemove((tenant, method), out _);

    /// <summary>
    /// The next call of <paramref name="method"/> on the tenant's grains stops inside its grain's
    /// turn until the gate is opened: the grain is busy, as it would be while awaiting a slow call.
    /// </summary>
    public static Gate Hold(string tenant, string method)
    {
        var gate = new Gate();
        Holds[(tenant, method)] = gate;
        return gate;
    }

    private static readonly ConcurrentDictionary<(string Tenant, string Method), Gate> Holds = new();

    internal static Gate? TakeHold(string tenant, string method) =>
        Holds.TryRemove((tenant, method), out var gate) ? gate : null;

    public sealed class Gate
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the held call is inside its grain.</summary>
        public Task Entered => _entered.Task;

        public void Open() => _open.TrySetResult();

        internal async Task PassAsync()
        {
            _entered.TrySetResult();
            await _open.Task;
        }
    }

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

    internal sealed class Fault(When when, int times, bool refuse)
    {
        public readonly When When = when;
        public readonly bool Refuse = refuse;
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
        var tenant = slash > 0 ? key![..slash] : null;
        if (tenant is not null && GrainFaults.TakeHold(tenant, context.InterfaceMethod.Name) is { } gate)
        {
            await gate.PassAsync();
        }
        var fault = tenant is not null ? GrainFaults.Take(tenant, context.InterfaceMethod.Name) : null;
        if (fault is { When: GrainFaults.When.BeforeCall, Refuse: true })
        {
            throw new ArgumentException($"Injected refusal of {context.InterfaceMethod.Name}");
        }
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
