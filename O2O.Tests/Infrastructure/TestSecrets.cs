using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using O2O.Grains.Privacy;

namespace O2O.Tests.Infrastructure;

/// <summary>
/// The pseudonym secret of this test run. Set as the environment variable every host reads
/// (<c>O2O__Privacy__PseudonymSecret</c>) before any test starts, so in-process Api hosts, the test
/// cluster and the silo processes the tests start all compute the same identity keys.
/// </summary>
public static class TestSecrets
{
    public const string PseudonymSecret = "o2o-test-run-pseudonym-secret-0123456789";

    public static readonly Pseudonyms Pseudonyms = new(Options.Create(new PrivacyOptions { PseudonymSecret = PseudonymSecret }));

    [ModuleInitializer]
    public static void SetForEveryHost()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("O2O__Privacy__PseudonymSecret")))
        {
            Environment.SetEnvironmentVariable("O2O__Privacy__PseudonymSecret", PseudonymSecret);
        }
    }
}
