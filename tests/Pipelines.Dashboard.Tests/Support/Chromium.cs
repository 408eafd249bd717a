using Microsoft.Playwright;

namespace Pipelines.Dashboard.Tests.Support;

/// <summary>
/// The system's Chromium (Debian's <c>chromium</c> package, which <c>.ci/install-servers.sh</c> installs), or the
/// one named by <c>PIPELINES_CHROMIUM</c>. Playwright's own browser download cannot work here, so tests launch
/// this executable.
/// </summary>
internal static class Chromium
{
    public static string? ExecutablePath { get; } = Find();

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("PIPELINES_CHROMIUM") is { Length: > 0 } configured)
        {
            return configured;
        }

        foreach (var candidate in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>
/// A test that needs the browser. Skipped, with the reason, when Chromium is not installed on a developer's
/// machine; never skipped in CI (CI=true), where .ci/run installs it and a missing browser must fail.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Chromium.ExecutablePath is null && !Chromium.InCi)
        {
            Skip = "Chromium is not installed (apt-get install -y chromium, or run .ci/install-servers.sh); set PIPELINES_CHROMIUM to use another.";
        }
    }
}

/// <summary>One headless Chromium for all browser tests.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(
        "Chromium is not installed, so the browser tests cannot run. CI installs it with .ci/install-servers.sh (apt-get install -y chromium).");

    public async Task InitializeAsync()
    {
        if (Chromium.ExecutablePath is not { } path)
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
