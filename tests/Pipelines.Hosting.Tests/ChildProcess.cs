using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Pipelines.Hosting.Tests;

/// <summary>
/// A program from the test output run as a child process: its output lines are collected, the test waits for a line,
/// sends it a signal (with <c>kill</c>) and waits for its exit. Every wait has a hang guard that kills the child.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly List<string> _lines = [];

    public ChildProcess(string assembly, params string[] arguments)
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
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data is null ? null : "stderr: " + e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
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

    public string Log => string.Join('\n', Lines);

    public bool HasExited => _process.HasExited;

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
                await _process.WaitForExitAsync();
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

    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

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

    private void Append(string? line)
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
}
