using O2O.Silo.EventHubs;
using O2O.Silo.Hosting;

namespace O2O.Silo;

/// <summary>The standalone silo used when the cluster scales out; configured from the <c>Orleans</c> section.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (DeadLetterCommand.IsCommand(args))
        {
            return DeadLetterCommand.Run(args);
        }

        var builder = WebApplication.CreateBuilder(args);

        builder.AddServiceDefaults();
        builder.AddO2OSilo();

        var app = builder.Build();

        app.MapDefaultEndpoints();

        app.Run();
        return 0;
    }
}
