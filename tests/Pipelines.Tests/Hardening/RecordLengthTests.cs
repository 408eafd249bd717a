using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipelines.Testing;
using Pipelines.Tests.Receivers;
using Pipelines.TestKit;

namespace Pipelines.Tests.Hardening;

/// <summary>Issue 10, item 4: <see cref="StreamingOptions.MaxRecordLength"/> bounds memory whatever the peer sends.</summary>
public sealed class RecordLengthTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pipelines-limits-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_line_far_longer_than_the_heap_limit_is_skipped_with_an_error_and_the_process_stays_within_its_heap()
    {
        // The child may use at most 96 MiB of GC heap; the peer sends a 1 GiB line without a line end in between.
        const int MaxRecordLength = 1 << 20;
        const int Chunk = 1 << 20;
        const int Chunks = 1024;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var environment = new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x6000000" };
        using var app = new ChildProcess("Pipelines.LimitsApp.dll", environment, "socket", port.ToString(CultureInfo.InvariantCulture), MaxRecordLength.ToString(CultureInfo.InvariantCulture));

        using (var connection = await listener.AcceptTcpClientAsync().WaitAsync(ChildProcess.HangGuard))
        {
            var stream = connection.GetStream();
            await stream.WriteAsync("first\n"u8.ToArray());
            var junk = new byte[Chunk];
            junk.AsSpan().Fill((byte)'x');
            for (var i = 0; i < Chunks; i++)
            {
                await stream.WriteAsync(junk);
            }

            await stream.WriteAsync("\nlast\nEND\n"u8.ToArray());
            await stream.FlushAsync();
            await app.WaitForLineAsync(line => line == "line 3 END", "the END line");
        }

        var exitCode = await app.WaitForExitAsync();

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{app.Log}");
        var records = app.Lines.Where(line => line.StartsWith("line ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["line 5 first", "line 4 last", "line 3 END"], records);
        var error = Assert.Single(app.Lines, line => line.StartsWith("error ", StringComparison.Ordinal));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"), error, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"MaxRecordLength ({MaxRecordLength} bytes)"), error, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{(long)Chunk * Chunks} bytes long"), error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_socket_line_over_the_limit_is_reported_and_counted_and_the_lines_around_it_arrive()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var events = new ReceiverEvents();
        using var tooLong = new CounterRecorder(StreamingMetrics.RecordsTooLong);
        await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(50), new StreamingOptions { Listeners = [events], MaxRecordLength = 10 });
        var collected = new Collector<string>(ssc.SocketTextStream("127.0.0.1", port));
        ssc.Start();

        using var connection = await listener.AcceptTcpClientAsync().Guard("the connection");
        await connection.GetStream().WriteAsync(Encoding.UTF8.GetBytes("0123456789\r\n" + new string('y', 11) + "\r\nafter\n"));
        await collected.WaitForCountAsync(2);
        await events.WaitForAsync("error", 1);

        Assert.Equal(["0123456789", "after"], collected.All);
        var error = Assert.Single(events.Errors);
        Assert.Contains("MaxRecordLength (10 bytes)", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(error.Error);
        Assert.True(tooLong.Total >= 1);
    }

    [Fact]
    public async Task A_file_line_over_the_limit_is_skipped_and_the_other_lines_and_files_are_read()
    {
        var incoming = Directory.CreateDirectory(Path.Combine(_root, "in")).FullName;
        var clock = new ManualClock();
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock, MaxRecordLength = 8 });
        var collected = new Collector<string>(ssc.TextFileStream(incoming));
        ssc.Start();

        File.WriteAllText(Path.Combine(_root, "a.txt"), "short\n" + new string('z', 100_000) + "\nend\n");
        File.Move(Path.Combine(_root, "a.txt"), Path.Combine(incoming, "a.txt"));
        File.WriteAllText(Path.Combine(_root, "b.txt"), "\uFEFFb1\r\n12345678");
        File.Move(Path.Combine(_root, "b.txt"), Path.Combine(incoming, "b.txt"));
        var t1 = await ssc.StepAsync();

        Assert.Equal(["short", "end", "b1", "12345678"], collected.At(t1));
    }

    [Fact]
    public void The_line_reader_splits_lines_as_StreamReader_does_whatever_the_read_sizes()
    {
        var text = "a\r\nb\rc\n\n\u00e9\u2713\r\n" + new string('q', 300) + "\nlast";
        var expected = new List<string>();
        using (var reader = new StringReader(text))
        {
            while (reader.ReadLine() is { } line)
            {
                expected.Add(line.Length > 200 ? "<too long>" : line);
            }
        }

        foreach (var readSize in new[] { 1, 2, 3, 7, 64, 4096 })
        {
            using var stream = new TrickleStream(Encoding.UTF8.GetBytes(text), readSize);
            using var lines = new LineReader(stream, maxLineBytes: 200);
            var actual = new List<string>();
            for (var read = lines.ReadLine(); !read.IsEnd; read = lines.ReadLine())
            {
                actual.Add(read.IsTooLong ? "<too long>" : read.Line!);
            }

            Assert.Equal(expected, actual);
        }
    }

    /// <summary>A stream that returns at most a few bytes per read, as a slow socket does.</summary>
    private sealed class TrickleStream(byte[] data, int readSize) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, readSize));
    }
}

/// <summary>Sums what a Pipelines counter records while it is alive.</summary>
internal sealed class CounterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public CounterRecorder(string instrument)
    {
        _listener.InstrumentPublished = (published, listener) =>
        {
            if (published.Meter.Name == StreamingMetrics.MeterName && published.Name == instrument)
            {
                listener.EnableMeasurementEvents(published);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
