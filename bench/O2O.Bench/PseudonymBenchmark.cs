using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using O2O.Grains.Identity;
using O2O.Grains.Privacy;

namespace O2O.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/O2O.Bench -- pseudonyms [--calls 2000000] [--block 1000]</c>
/// <para>
/// The cost the keyed pseudonyms add per identifier: <see cref="IdentityKey.Of"/> (HMAC-SHA256 of the
/// normalised identifier, hex) over distinct Vietnamese phone numbers, on one thread. Timed in blocks;
/// reports nanoseconds per call as p50/p99/max over the blocks, and calls per second overall.
/// </para>
/// </summary>
internal static class PseudonymBenchmark
{
    public static Task<int> RunAsync(BenchArgs args)
    {
        var calls = args.Int("calls", 2_000_000);
        var block = args.Int("block", 1_000);
        var pseudonyms = new Pseudonyms(Options.Create(new PrivacyOptions { PseudonymSecret = "bench-only-pseudonym-secret-0123456789" }));
        var phones = Enumerable.Range(0, block)
            .Select(i => new Identifier(IdentifierKind.Phone, "+8490" + (1_000_000 + i * 7919 % 9_000_000).ToString("D7", CultureInfo.InvariantCulture)))
            .ToArray();
        // Warm-up: JIT and the per-tenant key.
        for (var i = 0; i < 50_000; i++)
        {
            IdentityKey.Of("bench", phones[i % block], pseudonyms);
        }
        var perCall = new List<double>(calls / block);
        var total = Stopwatch.StartNew();
        var sink = 0;
        for (var done = 0; done < calls; done += block)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < block; i++)
            {
                sink += IdentityKey.Of("bench", phones[i], pseudonyms).Pseudonym.Length;
            }
            perCall.Add(watch.Elapsed.TotalNanoseconds / block);
        }
        total.Stop();
        perCall.Sort();
        double At(double q) => perCall[Math.Min(perCall.Count - 1, (int)(q * perCall.Count))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"IdentityKey.Of: {calls:N0} calls, {calls / total.Elapsed.TotalSeconds:N0}/s; ns per call over blocks of {block}: p50 {At(0.5):F0}, p99 {At(0.99):F0}, max {perCall[^1]:F0} (check {sink % 7})"));
        return Task.FromResult(0);
    }
}
