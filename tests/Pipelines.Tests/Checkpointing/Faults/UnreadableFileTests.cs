using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Pipelines.Tests.Checkpointing.Faults;

/// <summary>
/// A file the source cannot read (here: one 40 MiB line in a process whose GC heap is capped at 48 MiB, so reading
/// it throws <see cref="OutOfMemoryException"/>) neither loses the files read before it in the same batch nor
/// blocks the files after it; it is retried, then skipped with an error naming it.
/// </summary>
[Collection(nameof(ProcessKillTests))]
public sealed class UnreadableFileTests : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);
    private readonly TempFolder _root = new();
    private readonly StringBuilder _log = new();

    public UnreadableFileTests()
    {
        Directory.CreateDirectory(Input);
        Directory.CreateDirectory(Output);
    }

    private string Input => _root.Combine("input");

    private string Output => _root.Combine("output");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _root.Dispose();
    }

    [Fact]
    public async Task A_file_too_large_to_read_is_skipped_with_an_error_and_the_other_files_of_its_batch_arrive()
    {
        using var app = StartApp();
        try
        {
            await WaitForAsync(() => Log.Contains("started fresh", StringComparison.Ordinal), "the app to start");

            // All three files appear at once, so they land in one batch, read in name order: good, huge, good.
            var staging = _root.Combine("staging");
            Directory.CreateDirectory(staging);
            File.WriteAllLines(Path.Combine(staging, "part-00000.txt"), ["r000000 apple birch", "r000001 cedar"]);
            using (var huge = File.Create(Path.Combine(staging, "part-00001.txt")))
            {
                var chunk = new byte[1 << 20];
                Array.Fill(chunk, (byte)'x');
                for (var i = 0; i < 40; i++)
                {
                    huge.Write(chunk);
                }
            }

            File.WriteAllLines(Path.Combine(staging, "part-00002.txt"), ["r000002 delta"]);
            foreach (var file in Directory.GetFiles(staging).Order(StringComparer.Ordinal))
            {
                File.Move(file, Path.Combine(Input, Path.GetFileName(file)));
            }

            await WaitForAsync(() => Log.Contains("skipped", StringComparison.Ordinal), "the huge file to be skipped");
            await WaitForAsync(() => RecordIds().Count == 3, "the records of the good files");
        }
        finally
        {
            await File.WriteAllTextAsync(_root.Combine("STOP"), "stop");
            using var exit = new CancellationTokenSource(HangGuard);
            await app.WaitForExitAsync(exit.Token);
        }

        Assert.Equal(["r000000", "r000001", "r000002"], RecordIds());
        var skip = Log.Split('\n').Single(line => line.Contains("skipped", StringComparison.Ordinal));
        Assert.Contains("part-00001.txt", skip, StringComparison.Ordinal);
        Assert.Contains("1 file(s) skipped so far", skip, StringComparison.Ordinal);
        Assert.Equal(2, Log.Split('\n').Count(line => line.Contains("part-00001.txt", StringComparison.Ordinal) && line.Contains("tried again", StringComparison.Ordinal)));
        Assert.True(app.ExitCode == 0, Log);
    }

    private string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private List<string> RecordIds() =>
        Directory.GetFiles(Output, "lines-*.txt")
            .SelectMany(File.ReadLines)
            .Select(line => line.Split(' ')[0])
            .Order(StringComparer.Ordinal)
            .ToList();

    private async Task WaitForAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > HangGuard)
            {
                throw new TimeoutException($"Timed out waiting for {what}.\n{Log}");
            }

            await Task.Delay(50);
        }
    }

    private Process StartApp()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x3000000"; // 48 MiB of GC heap
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Pipelines.FaultApp.dll"), Input, Output, _root.Combine("checkpoint"), _root.Combine("sink.db"), "100", _root.Combine("STOP") })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line.ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}
