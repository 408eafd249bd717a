using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipelines.Testing;

namespace Pipelines.Tests.Receivers;

/// <summary>
/// The socket receiver's intake: lines found in pooled read buffers and decoded once, whatever the read sizes, with
/// every rented buffer returned (a counting pool stands in for the shared one).
/// </summary>
public sealed class SocketIntakeTests
{
    private static readonly SocketTextStreamOptions FastReconnect = new()
    {
        InitialReconnectDelay = TimeSpan.FromMilliseconds(10),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public async Task Lines_split_across_small_read_buffers_arrive_as_StreamReader_reads_them()
    {
        // CRLF, lone CR, empty lines, multi-byte characters on buffer edges, a line longer than the 1 KiB read
        // buffer (but within MaxRecordLength), invalid UTF-8 (becomes U+FFFD as before), and a last line without
        // its line end before the server closes the connection (mid-line).
        var text = new MemoryStream();
        var random = new Random(14);
        for (var i = 0; i < 400; i++)
        {
            var line = new string('x', random.Next(0, 40)) + "é✓" + i;
            text.Write(Encoding.UTF8.GetBytes(line));
            text.Write((i % 3) switch { 0 => "\n"u8, 1 => "\r\n"u8, _ => "\r"u8 });
        }

        text.Write("\n\n"u8);
        text.Write(Encoding.UTF8.GetBytes(new string('L', 5000) + "\n"));
        text.Write([0x61, 0xFF, 0xC3, 0x28, 0x62, (byte)'\n']);
        text.Write("cut mid-line"u8);
        var bytes = text.ToArray();

        var pool = new CountingPool();
        var options = new SocketTextStreamOptions { ReadBufferSize = 1024, BufferPool = pool };
        var received = await ReceiveAsync(bytes, options, writeSizes: [1, 7, 1023, 1024, 1025, 4096]);

        Assert.Equal(ReadWithStreamReader(bytes), received);
        Assert.Contains("a\uFFFD\uFFFD(b", received);
        Assert.Equal("cut mid-line", received[^1]);
        Assert.True(pool.Rented > 0);
        Assert.Equal(pool.Rented, pool.Returned);
    }

    [Fact]
    public async Task A_line_longer_than_MaxRecordLength_is_skipped_and_the_lines_around_it_arrive()
    {
        var bytes = Encoding.UTF8.GetBytes("before\n" + new string('z', 10_000) + "\nafter\n");
        var pool = new CountingPool();
        var events = new ReceiverEvents();
        var options = new SocketTextStreamOptions { ReadBufferSize = 1024, BufferPool = pool };

        var received = await ReceiveAsync(bytes, options, writeSizes: [333], maxRecordLength: 4096, events: events);

        Assert.Equal(["before", "after"], received);
        var error = Assert.Single(events.Errors);
        Assert.Contains("line 2 of the connection is 10000 bytes long", error.Message, StringComparison.Ordinal);
        Assert.Equal(pool.Rented, pool.Returned);
    }

    [Fact]
    public async Task Every_buffer_is_returned_across_a_reconnect_and_a_restart_of_the_receiver()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var pool = new CountingPool();
        var options = new SocketTextStreamOptions
        {
            InitialReconnectDelay = FastReconnect.InitialReconnectDelay,
            MaxReconnectDelay = FastReconnect.MaxReconnectDelay,
            ReadBufferSize = 1024,
            BufferPool = pool,
        };
        var ssc = new StreamingContext(TimeSpan.FromMilliseconds(20), new StreamingOptions { ReceiverRestartDelay = TimeSpan.FromMilliseconds(10) });
        var stream = ssc.SocketTextStream("127.0.0.1", port, options);
        var collected = new Collector<string>(stream);
        ssc.Start();

        using (var first = await listener.AcceptTcpClientAsync().Guard("the first connection"))
        {
            // Closed by the server in the middle of a line longer than the read buffer: it still arrives whole.
            await WriteAsync(first, Encoding.UTF8.GetBytes("one\ntwo\n" + new string('m', 3000)), 500);
        }

        using (var second = await listener.AcceptTcpClientAsync().Guard("the reconnection"))
        {
            await WriteAsync(second, "three\n"u8.ToArray(), 64);
            await collected.WaitForCountAsync(4);

            // A restart of the receiver (as after a worker error) drops this connection and opens a new one.
            ((Pipelines.Receivers.ReceiverInputDStream<string>)stream).Receiver.Restart("test restart");
            using var third = await listener.AcceptTcpClientAsync().Guard("the connection after the restart");
            await WriteAsync(third, "four\nfive"u8.ToArray(), 3);
            third.Client.Shutdown(SocketShutdown.Send);
            await collected.WaitForCountAsync(6);
        }

        await ssc.StopAsync(graceful: false);
        await ssc.DisposeAsync();

        Assert.Equal(["one", "two", new string('m', 3000), "three", "four", "five"], collected.All);
        Assert.True(pool.Rented >= 3);
        Assert.Equal(pool.Rented, pool.Returned);
    }

    [Fact]
    public async Task Under_a_rate_limit_the_lines_of_one_read_are_held_to_it_and_none_is_lost()
    {
        const int Rate = 20;
        const int Total = 100;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var clock = new ManualClock();
        await using var ssc = new StreamingContext(
            TimeSpan.FromSeconds(1),
            new StreamingOptions { TimeProvider = clock, Backpressure = new BackpressureOptions { MaxRatePerReceiver = Rate } });
        var collected = new Collector<string>(ssc.SocketTextStream("127.0.0.1", port, FastReconnect));
        ssc.Start();
        string[] lines = [.. Enumerable.Range(0, Total).Select(i => $"line {i}")];
        using var connection = await listener.AcceptTcpClientAsync().Guard("the connection");
        await WriteAsync(connection, Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"), 1 << 20);

        // One read holds all the lines; the limiter still lets only about Rate of them into each interval.
        for (var step = 0; step < 400 && collected.All.Count < Total; step++)
        {
            await ssc.StepAsync();
            await Task.Delay(5);
        }

        Assert.Equal(lines, collected.All);
        Assert.All(collected.BatchSizes(), size => Assert.InRange(size, 0, (2 * Rate) + 1));
        Assert.True(collected.BatchSizes().Count(size => size > 0) >= 4);
    }

    [Fact]
    public async Task Lines_read_from_the_socket_are_written_ahead_and_replayed_exactly_after_a_crash()
    {
        using var folder = new Pipelines.Tests.Checkpointing.TempFolder();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var start = DateTimeOffset.FromUnixTimeMilliseconds(5_000_000);
        var outputs = new System.Collections.Concurrent.ConcurrentDictionary<BatchTime, string[]>();
        var reached = new TaskCompletionSource();
        var blockAt = new BatchTime(5_002_000);

        var (first, clock, input) = Create(start, crashing: true);
        first.Start();
        using (var connection = await listener.AcceptTcpClientAsync().Guard("the first connection"))
        {
            await WriteAsync(connection, Encoding.UTF8.GetBytes("a1\r\na2 é\n"), 3);
            await WaitForPendingAsync(input, 2);
            await first.StepAsync();
            await WriteAsync(connection, Encoding.UTF8.GetBytes("b1\nb\uFFFD2\n"), 1);
            await WaitForPendingAsync(input, 2);
            clock.Advance(TimeSpan.FromSeconds(1));
            await reached.Task.Guard("the batch that hangs");
            await first.StopAsync(graceful: false);
        }

        Assert.Equal(["a1", "a2 é"], outputs[new BatchTime(5_001_000)]);
        Assert.False(outputs.ContainsKey(blockAt));

        // The restarted context replays the logged batch (from the log, not the socket) with its exact records.
        outputs.Clear();
        var (second, _, _) = Create(start + TimeSpan.FromSeconds(2), crashing: false);
        second.Start();
        await second.Scheduler!.WhenCompletedAsync(blockAt).Guard("the replayed batch");
        await second.StopAsync(graceful: false);

        Assert.Equal(["b1", "b\uFFFD2"], outputs[blockAt]);

        (StreamingContext Context, ManualClock Clock, Pipelines.Receivers.ReceiverInputDStream<string> Input) Create(DateTimeOffset now, bool crashing)
        {
            var manual = new ManualClock(now);
            Pipelines.Receivers.ReceiverInputDStream<string>? lines = null;
            var context = StreamingContext.GetOrCreate(folder.Path, () =>
            {
                var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = manual });
                lines = (Pipelines.Receivers.ReceiverInputDStream<string>)ssc.SocketTextStream("127.0.0.1", port, FastReconnect);
                lines.ForEachBatch(async (batch, time, cancellationToken) =>
                {
                    if (crashing && time == blockAt)
                    {
                        reached.TrySetResult();
                        await Task.Delay(Timeout.Infinite, cancellationToken);
                    }

                    outputs[time] = batch.ToArray();
                });
                return ssc;
            }, new CheckpointOptions { ReceiverWriteAheadLog = true });
            return (context, manual, lines!);
        }
    }

    private static async Task WaitForPendingAsync(Pipelines.Receivers.ReceiverInputDStream<string> input, int count)
    {
        var deadline = DateTime.UtcNow + ReceiverTestKit.HangGuard;
        while (input.Supervisor.PendingCount < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The receiver did not store {count} lines within {ReceiverTestKit.HangGuard}.");
            await Task.Delay(5);
        }
    }

    /// <summary>Serves <paramref name="bytes"/> in writes of the given sizes (cycled), closes, and returns the lines received.</summary>
    private static async Task<string[]> ReceiveAsync(
        byte[] bytes, SocketTextStreamOptions options, int[] writeSizes, int maxRecordLength = 1 << 20, ReceiverEvents? events = null)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var expected = ReadWithStreamReader(bytes).Count(line => Encoding.UTF8.GetByteCount(line) <= maxRecordLength);
        var ssc = new StreamingContext(
            TimeSpan.FromMilliseconds(20),
            new StreamingOptions { MaxRecordLength = maxRecordLength, Listeners = events is null ? [] : [events] });
        var collected = new Collector<string>(ssc.SocketTextStream("127.0.0.1", port, options));
        ssc.Start();
        using (var connection = await listener.AcceptTcpClientAsync().Guard("the connection"))
        {
            connection.NoDelay = true;
            var stream = connection.GetStream();
            for (int offset = 0, i = 0; offset < bytes.Length; i++)
            {
                var size = Math.Min(writeSizes[i % writeSizes.Length], bytes.Length - offset);
                await stream.WriteAsync(bytes.AsMemory(offset, size));
                await stream.FlushAsync();
                offset += size;
            }
        }

        await collected.WaitForCountAsync(expected);
        await ssc.StopAsync(graceful: false);
        await ssc.DisposeAsync();
        return [.. collected.All];
    }

    private static string[] ReadWithStreamReader(byte[] bytes)
    {
        var lines = new List<string>();
        using var reader = new StreamReader(new MemoryStream(bytes), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return [.. lines];
    }

    private static async Task WriteAsync(TcpClient connection, byte[] bytes, int writeSize)
    {
        var stream = connection.GetStream();
        for (var offset = 0; offset < bytes.Length; offset += writeSize)
        {
            await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(writeSize, bytes.Length - offset)));
            await stream.FlushAsync();
        }
    }

    /// <summary>A pool that counts what it rents out and gets back.</summary>
    private sealed class CountingPool : ArrayPool<byte>
    {
        private int _rented;
        private int _returned;

        public int Rented => Volatile.Read(ref _rented);

        public int Returned => Volatile.Read(ref _returned);

        public override byte[] Rent(int minimumLength)
        {
            Interlocked.Increment(ref _rented);
            return new byte[minimumLength];
        }

        public override void Return(byte[] array, bool clearArray = false) => Interlocked.Increment(ref _returned);
    }
}
