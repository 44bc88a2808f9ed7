using System.Text.Json;
using Microsoft.Extensions.Options;

namespace O2O.Silo.EventHubs;

/// <summary>
/// <c>O2O.Silo dead-letters list [max]</c> prints the dead letters (one JSON object a line, no event
/// content); <c>O2O.Silo dead-letters replay [--all]</c> sends those not replayed yet back to the
/// events hub. Configured like the silo (<c>ConnectionStrings__eventhubs</c>, <c>O2O__EventHubs__…</c>).
/// </summary>
public static class DeadLetterCommand
{
    public static bool IsCommand(string[] args) => args is ["dead-letters", ..];

    public static int Run(string[] args)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddEventHubsOptions();
        using var host = builder.Build();
        var letters = new DeadLetters(host.Services.GetRequiredService<IOptions<EventHubsOptions>>().Value);
        switch (args)
        {
            case ["dead-letters", "list", ..]:
                var max = args.Length > 2 && int.TryParse(args[2], out var m) ? m : 1_000;
                foreach (var letter in letters.List(max))
                {
                    Console.WriteLine(JsonSerializer.Serialize(letter));
                }
                return 0;
            case ["dead-letters", "replay", ..]:
                var count = letters.Replay(all: args.Contains("--all"));
                Console.WriteLine($"Replayed {count} dead letter(s) onto the events hub.");
                return 0;
            default:
                Console.Error.WriteLine("Usage: O2O.Silo dead-letters list [max] | replay [--all]");
                return 2;
        }
    }
}
