using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipelines.Compilation;
using Pipelines.Testing;

namespace Pipelines.Tests.Receivers;

/// <summary>
/// The socket receiver stores each read's lines as one pooled <see cref="TextLineBlock"/>: readers of the batch see
/// the same lines as spans (<see cref="TextLineBlocks"/>) and as strings (created on first use), and every block's
/// buffers go back to their pools when the batch is forgotten, after a failed batch too.
/// </summary>
public sealed class SocketLineBlockTests
{
    private static readonly SocketTextStreamOptions FastReconnect = new()
    {
        InitialReconnectDelay = TimeSpan.FromMilliseconds(10),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Block_lines_and_batch_strings_are_the_lines_StreamReader_reads(int parallelism)
    {
        // CRLF, lone CR, empty lines, multi-byte characters on buffer edges, a line longer than the 1 KiB read buffer,
        // invalid UTF-8 (U+FFFD, as before), a too-long line (skipped) and a last line without its line end.
        var text = new MemoryStream();
        var random = new Random(1412);
        for (var i = 0; i < 3000; i++)
        {
            text.Write(Encoding.UTF8.GetBytes(new string('x', random.Next(0, 60)) + "é✓" + i + (i % 7 == 0 ? " 😀" : "")));
            text.Write((i % 3) switch { 0 => "\n"u8, 1 => "\r\n"u8, _ => "\r"u8 });
        }

        text.Write("\n\r\n"u8);
        text.Write(Encoding.UTF8.GetBytes(new string('L', 5000) + "\r\n"));
        text.Write(Encoding.UTF8.GetBytes(new string('T', 9000) + "\n"));
        text.Write([0x61, 0xFF, 0xC3, 0x28, 0x62, (byte)'\n', 0xE2, 0x82, (byte)'\r', (byte)'\n']);
        text.Write("cut mid-line"u8);
        var bytes = text.ToArray();
        var expected = ReadWithStreamReader(bytes).Where(line => Encoding.UTF8.GetByteCount(line) <= 8192).ToArray();

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var fromBlocks = new ConcurrentDictionary<BatchTime, string[]>();
        var asStrings = new ConcurrentDictionary<BatchTime, string[]>();
        var withoutBlocks = 0;
        var received = 0;
        var options = new StreamingOptions { Parallelism = parallelism, BlockInterval = TimeSpan.FromMilliseconds(5), MaxRecordLength = 8192 };
        var ssc = new StreamingContext(TimeSpan.FromMilliseconds(30), options);
        var input = ssc.SocketTextStream("127.0.0.1", port, new SocketTextStreamOptions { ReadBufferSize = 1024 });
        input.ForEachBatch((batch, time) =>
        {
            // First reader: the blocks, before any string of the batch exists.
            if (!TextLineBlocks.TryGet(batch, out var blocks))
            {
                Interlocked.Increment(ref withoutBlocks);
                return;
            }

            Assert.Equal(batch.PartitionCount, blocks.PartitionCount);
            var lines = new List<string>();
            for (var p = 0; p < blocks.PartitionCount; p++)
            {
                var inPartition = 0;
                foreach (var block in blocks.GetPartition(p))
                {
                    for (var i = 0; i < block.LineCount; i++)
                    {
                        lines.Add(new string(block.GetLine(i)));
                    }

                    inPartition += block.LineCount;
                }

                Assert.Equal(batch.GetPartition(p).Length, inPartition);
            }

            fromBlocks[time] = [.. lines];
        });
        input.ForEachBatch((batch, time) =>
        {
            asStrings[time] = batch.ToArray();
            Interlocked.Add(ref received, batch.Count);
        });
        ssc.Start();

        using (var connection = await listener.AcceptTcpClientAsync().Guard("the connection"))
        {
            var stream = connection.GetStream();
            int[] writeSizes = [1, 7, 1023, 1024, 1025, 4096, 333];
            for (int offset = 0, i = 0; offset < bytes.Length; i++)
            {
                var size = Math.Min(writeSizes[i % writeSizes.Length], bytes.Length - offset);
                await stream.WriteAsync(bytes.AsMemory(offset, size));
                await stream.FlushAsync();
                offset += size;
            }
        }

        var deadline = DateTime.UtcNow + ReceiverTestKit.HangGuard;
        while (Volatile.Read(ref received) < expected.Length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await ssc.StopAsync(graceful: true);
        await ssc.DisposeAsync();

        Assert.Equal(expected, asStrings.OrderBy(pair => pair.Key).SelectMany(pair => pair.Value));
        Assert.Equal(expected, fromBlocks.OrderBy(pair => pair.Key).SelectMany(pair => pair.Value));
        Assert.Contains("a\uFFFD\uFFFD(b", expected);
        Assert.Equal("cut mid-line", expected[^1]);
        foreach (var (time, lines) in asStrings.Where(pair => pair.Value.Length > 0))
        {
            Assert.Equal(lines, fromBlocks[time]);
        }
    }

    [Fact]
    public async Task Every_block_returns_to_its_pool_once_its_batch_is_forgotten_also_after_a_failed_batch()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var bytePool = new CountingPool<byte>();
        var charPool = new CountingPool<char>();
        var endPool = new CountingPool<int>();
        var clock = new ManualClock();
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock, Parallelism = 2 });
        var input = (Pipelines.Receivers.ReceiverInputDStream<string>)ssc.SocketTextStream("127.0.0.1", port, new SocketTextStreamOptions
        {
            InitialReconnectDelay = FastReconnect.InitialReconnectDelay,
            MaxReconnectDelay = FastReconnect.MaxReconnectDelay,
            ReadBufferSize = 1024,
            BufferPool = bytePool,
            CharPool = charPool,
            LineEndPool = endPool,
        });
        var words = input.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).CountByValue();
        var counted = new ConcurrentDictionary<BatchTime, long>();
        var failures = 0;
        words.ForEachBatch((batch, time) =>
        {
            if (Volatile.Read(ref failures) == 0 && batch.Count > 0 && counted.Count == 2)
            {
                Interlocked.Increment(ref failures);
                throw new InvalidOperationException("An output that fails one batch.");
            }

            counted[time] = batch.Span.ToArray().Sum(pair => pair.Item2);
        });
        ssc.Start();

        using var connection = await listener.AcceptTcpClientAsync().Guard("the connection");
        var roundWords = new List<long>();
        for (var round = 0; round < 6; round++)
        {
            var lines = Enumerable.Range(0, 200).Select(i => $"w{i % 13} r{round} {new string('p', i % 50)}").ToArray();
            roundWords.Add(lines.Sum(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length));
            await WriteAsync(connection, Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n"), 700);
            await WaitForPendingAsync(input, lines.Length);
            await ssc.StepAsync();
        }

        // Empty batches until every batch with lines is forgotten.
        for (var step = 0; step < 4; step++)
        {
            await ssc.StepAsync();
        }

        Assert.Equal(1, Volatile.Read(ref failures));
        Assert.Equal(roundWords.Sum() - roundWords[2], counted.Values.Sum());
        Assert.True(charPool.Rented >= 6, $"{charPool.Rented} character buffers rented");
        Assert.Equal(charPool.Rented, charPool.Returned);
        Assert.Equal(endPool.Rented, endPool.Returned);
    }

    [Fact]
    public async Task With_the_write_ahead_log_the_receiver_stores_strings_and_the_batch_has_no_blocks()
    {
        using var folder = new Pipelines.Tests.Checkpointing.TempFolder();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeMilliseconds(7_000_000));
        var charPool = new CountingPool<char>();
        var sawBlocks = 0;
        var lines = new ConcurrentQueue<string>();
        Pipelines.Receivers.ReceiverInputDStream<string>? input = null;
        await using var ssc = StreamingContext.GetOrCreate(folder.Path, () =>
        {
            var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
            input = (Pipelines.Receivers.ReceiverInputDStream<string>)context.SocketTextStream("127.0.0.1", port, new SocketTextStreamOptions
            {
                InitialReconnectDelay = FastReconnect.InitialReconnectDelay,
                CharPool = charPool,
            });
            input.ForEachBatch((batch, time) =>
            {
                if (TextLineBlocks.TryGet(batch, out _))
                {
                    Interlocked.Increment(ref sawBlocks);
                }

                foreach (var line in batch)
                {
                    lines.Enqueue(line);
                }
            });
            return context;
        }, new CheckpointOptions { ReceiverWriteAheadLog = true });
        ssc.Start();

        using var connection = await listener.AcceptTcpClientAsync().Guard("the connection");
        await WriteAsync(connection, Encoding.UTF8.GetBytes("one\r\ntwo é\nthree\n"), 4);
        await WaitForPendingAsync(input!, 3);
        await ssc.StepAsync();

        Assert.Equal(["one", "two é", "three"], lines);
        Assert.Equal(0, Volatile.Read(ref sawBlocks));
        Assert.Equal(charPool.Rented, charPool.Returned);
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
    private sealed class CountingPool<T> : ArrayPool<T>
    {
        private int _rented;
        private int _returned;

        public int Rented => Volatile.Read(ref _rented);

        public int Returned => Volatile.Read(ref _returned);

        public override T[] Rent(int minimumLength)
        {
            Interlocked.Increment(ref _rented);
            return new T[minimumLength];
        }

        public override void Return(T[] array, bool clearArray = false) => Interlocked.Increment(ref _returned);
    }
}
