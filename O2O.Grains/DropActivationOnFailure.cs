using Microsoft.Extensions.Logging;

namespace O2O.Grains;

/// <summary>
/// A grain call that fails drops its activation, so the caller's retry starts from what is stored.
/// A grain changes its state in memory before it writes, and may await another grain or storage in
/// between: when anything there fails (a storage outage, a timeout, a write whose answer was lost
/// though the row was written), the memory no longer matches storage. Kept, such an activation
/// would answer a retried batch "already seen" from memory for events it never stored, or write
/// forever with an ETag storage has moved past. Dropped, the next call reads the row and its ETag
/// afresh. Every silo registers it (<c>AddIncomingGrainCallFilter</c>), in one place for every grain.
/// </summary>
public sealed partial class DropActivationOnFailure(ILogger<DropActivationOnFailure> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception ex) when (context.Grain is Grain)
        {
            // Ends the activation once this call is done; calls queued behind it go to a new one.
            context.TargetContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, "a call failed: the next one reloads the state from storage"));
            LogDropped(context.TargetId.Type.ToString()!, context.InterfaceMethod.Name, ex.GetType().Name);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A {GrainType} activation is dropped after {Method} failed ({Error}); the next call reloads its state")]
    private partial void LogDropped(string grainType, string method, string error);
}
