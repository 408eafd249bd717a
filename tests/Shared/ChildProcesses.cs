using System.Diagnostics;
using System.Globalization;

namespace Pipelines.TestKit;

// Source shared by the test projects that run an app of theirs as a child process (linked with
// <Compile Include="../Shared/*.cs" Link="Shared/%(Filename)%(Extension)" />): fault and kill runs, signal tests.

/// <summary>
/// What child processes printed, line by line (stderr lines prefixed with <c>stderr: </c>): one log can outlive
/// several children, e.g. an app killed and restarted, with the test's own markers (<c>--- SIGKILL #1</c>) between.
/// </summary>
internal sealed class ProcessLog
{
    private readonly List<string> _lines = [];

    /// <summary>A copy of the lines so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The lines so far as one text, for failure messages.</summary>
    public string Text => string.Join('\n', Lines);

    /// <summary>Adds a line (a <c>null</c> from a closed stream is ignored).</summary>
    public void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }
    }

    /// <summary>How many lines so far start with one of <paramref name="prefixes"/>.</summary>
    public int CountStartingWith(params string[] prefixes) =>
        Lines.Count(line => prefixes.Any(prefix => line.StartsWith(prefix, StringComparison.Ordinal)));
}

/// <summary>Starts an app built beside the tests (a project reference copies it there) with <c>dotnet</c>.</summary>
internal static class DotNetApp
{
    /// <summary>
    /// Starts <c>dotnet <paramref name="assembly"/> <paramref name="arguments"/></c> with its stdout and stderr going
    /// to <paramref name="log"/>. It runs through env(1), which resets SIGINT and SIGTERM to their defaults before it
    /// execs dotnet (same process id): a test run started as a background job inherits SIGINT ignored, and .NET keeps
    /// ignored signals ignored. With <paramref name="redirectInput"/> the test can write to the app's stdin; stderr
    /// lines go to the log after <paramref name="stderrPrefix"/>.
    /// </summary>
    public static Process Start(
        string assembly,
        IEnumerable<string> arguments,
        ProcessLog log,
        IReadOnlyDictionary<string, string>? environment = null,
        bool redirectInput = false,
        string stderrPrefix = "stderr: ")
    {
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--default-signal=INT,TERM");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => log.Append(e.Data);
        process.ErrorDataReceived += (_, e) => log.Append(e.Data is null ? null : stderrPrefix + e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}

/// <summary>
/// One app run as a child process with its own log: the test waits for a line, sends a signal (with <c>kill</c>)
/// and waits for the exit. Every wait has a hang guard that kills the child when it trips.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    private readonly ProcessLog _log = new();
    private readonly Process _process;

    public ChildProcess(string assembly, params string[] arguments)
        : this(assembly, null, arguments)
    {
    }

    public ChildProcess(string assembly, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        _process = DotNetApp.Start(assembly, arguments, _log, environment);
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the child printed so far (stderr lines prefixed with <c>stderr: </c>).</summary>
    public IReadOnlyList<string> Lines => _log.Lines;

    /// <summary>The same as one text, for failure messages.</summary>
    public string Log => _log.Text;

    /// <summary>Waits until the child printed a line that <paramref name="match"/> accepts and returns it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string what)
    {
        var guard = Stopwatch.StartNew();
        while (true)
        {
            if (Lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(); // the output is read to its end
                return Lines.FirstOrDefault(match) ?? throw new InvalidOperationException($"The app exited with {_process.ExitCode} before printing {what}.\n{Log}");
            }

            if (guard.Elapsed > HangGuard)
            {
                Kill();
                throw new TimeoutException($"The app did not print {what} within {HangGuard}.\n{Log}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Sends <paramref name="signal"/> (TERM, INT, ...) with the <c>kill</c> command.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed with exit code {kill.ExitCode}.\n{Log}");
        }
    }

    /// <summary>Waits for the child to exit (killing it when the hang guard trips) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(HangGuard);
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"The app did not exit within {HangGuard}.\n{Log}");
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Not started or already gone.
        }
    }
}
