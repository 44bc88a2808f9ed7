using System.Text.Json;
using Microsoft.Playwright;

namespace O2O.Tests.Infrastructure;

/// <summary>
/// axe-core (from npm, <c>O2O.Tests/node_modules</c>, installed by ./test.sh) run inside a page:
/// the WCAG 2.x A/AA rules, failing on serious and critical violations.
/// </summary>
public static class Accessibility
{
    public static async Task AssertNoSeriousViolationsAsync(IPage page, string where)
    {
        await page.AddScriptTagAsync(new() { Path = AxeScript() });
        var json = await page.EvaluateAsync<string>("""
            async () => {
              const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
              return JSON.stringify(result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary) })));
            }
            """);
        var violations = JsonSerializer.Deserialize<JsonElement[]>(json)!;
        violations.ShouldBeEmpty($"axe found serious or critical violations on {where}:\n{json}");
    }

    private static string AxeScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "O2O.Tests", "node_modules", "axe-core", "axe.min.js");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("axe-core is missing: run ./test.sh, or 'npm ci' in O2O.Tests, to install it from O2O.Tests/package-lock.json.");
    }
}
