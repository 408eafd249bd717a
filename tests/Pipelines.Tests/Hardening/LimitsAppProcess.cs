using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Pipelines.Tests.Hardening;

/// <summary>
/// The limits test app (<c>Pipelines.LimitsApp.dll</c>, copied beside the tests) run as a child process: its output
/// lines are collected, the test waits for a line, sends it a signal (with <c>kill</c>) and waits for its exit.
/// Every wait has a hang guard and kills the child when it trips.
/// </summary>
internal sealed class LimitsAppProcess : IDisposable
{
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _log = new();
    private readonly SemaphoreSlim _changed = new(0);

    public LimitsAppProcess(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        // Through env(1), which resets SIGINT and SIGTERM to their defaults before it execs dotnet (same process id):
        // a test run started as a background job inherits SIGINT ignored, and .NET keeps ignored signals ignored.
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--default-signal=INT,TERM");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Pipelines.LimitsApp.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data, stdout: true);
        _process.ErrorDataReceived += (_, e) => Append(e.Data, stdout: false);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    /// <summary>What the child printed (stdout and stderr), for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

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

    /// <summary>Waits until the child printed a line that <paramref name="match"/> accepts.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string what)
    {
        var guard = Stopwatch.StartNew();
        while (true)
        {
            if (Lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_process.HasExited && Lines.FirstOrDefault(match) is null)
            {
                await _process.WaitForExitAsync();
                if (Lines.FirstOrDefault(match) is { } late)
                {
                    return late;
                }

                throw new InvalidOperationException($"The app exited with {_process.ExitCode} before printing {what}.\n{Log}");
            }

            if (guard.Elapsed > HangGuard)
            {
                Kill();
                throw new TimeoutException($"The app did not print {what} within {HangGuard}.\n{Log}");
            }

            await _changed.WaitAsync(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Sends <paramref name="signal"/> (TERM, INT) with the <c>kill</c> command.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits for the child to exit and returns its exit code.</summary>
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
        _changed.Dispose();
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

    private void Append(string? line, bool stdout)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(stdout ? line : "stderr: " + line);
        }

        if (stdout)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }

        _changed.Release();
    }
}
