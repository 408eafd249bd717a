using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipelines.Compilation;
using Pipelines.Generators.Tests.Compiled;

namespace Pipelines.Generators.Tests;

/// <summary>
/// The compiled and the interpreted word count read the same <c>SocketTextStream</c> batches (cut into blocks, so
/// several partitions) and give the same counts, batch for batch, at parallelism 1 and 2.
/// </summary>
public sealed class SocketDifferentialTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Compiled_and_interpreted_word_counts_agree_on_every_socket_batch(int parallelism)
    {
        var random = new Random(1403 + parallelism);
        string[] words = ["alpha", "beta", "gamma", "délta", "ε", "zeta", "", "eta"];
        string[] lines = [.. Enumerable.Range(0, 30_000).Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(0, 9)).Select(_ => words[random.Next(words.Length)])))];
        var bytes = Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\n");

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var compiled = new ConcurrentDictionary<BatchTime, (string, int)[]>();
        var interpreted = new ConcurrentDictionary<BatchTime, (string, int)[]>();
        var received = 0;
        var options = new StreamingOptions { Parallelism = parallelism, BlockInterval = TimeSpan.FromMilliseconds(10) };
        await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(100), options);
        var input = ssc.SocketTextStream("127.0.0.1", port, new SocketTextStreamOptions { ReadBufferSize = 4096 });
        input.ForEachBatch((batch, _) => Interlocked.Add(ref received, batch.Count));
        WordPipelines.Compile(input).ForEachBatch((batch, time) => compiled[time] = [.. batch.Span]);
        WordPipelines.Define(input).ForEachBatch((batch, time) => interpreted[time] = [.. batch.Span]);
        ssc.Start();

        using (var connection = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            var stream = connection.GetStream();
            for (var offset = 0; offset < bytes.Length; offset += 8192)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(8192, bytes.Length - offset)));
                await stream.FlushAsync();
            }
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Volatile.Read(ref received) < lines.Length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await ssc.StopAsync(graceful: true);

        Assert.Equal(lines.Length, Volatile.Read(ref received));
        Assert.Equal(interpreted.Keys.Order(), compiled.Keys.Order());
        foreach (var (time, counts) in interpreted)
        {
            Assert.Equal(counts.Order(), compiled[time].Order());
        }

        var expected = lines.SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).CountBy(word => word).Select(p => (p.Key, p.Value)).Order();
        var total = compiled.Values.SelectMany(batch => batch).GroupBy(p => p.Item1).Select(g => (g.Key, g.Sum(p => p.Item2))).Order();
        Assert.Equal(expected, total);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Compiled_only_consumers_read_the_socket_lines_as_blocks_and_count_what_LINQ_counts(int parallelism)
    {
        // No interpreted reader: the compiled stages read the pooled line blocks and no line string is created.
        var random = new Random(1414 + parallelism);
        string[] words = ["alpha", "beta", "gamma", "délta", "ε", "zeta", "", "eta", " pad ", "x,y"];
        string[] lines = [.. Enumerable.Range(0, 20_000).Select(i => i % 997 == 0
            ? new string('w', 3000) + " tail"
            : string.Join(random.Next(3) == 0 ? ", " : " ", Enumerable.Range(0, random.Next(0, 9)).Select(_ => words[random.Next(words.Length)])))];
        var bytes = Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\n");

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var spaces = new ConcurrentQueue<(string, int)>();
        var byValue = new ConcurrentQueue<(string, long)>();
        var trimmed = new ConcurrentQueue<(string, long)>();
        var blockLines = 0;
        var withoutBlocks = 0;
        var options = new StreamingOptions { Parallelism = parallelism, BlockInterval = TimeSpan.FromMilliseconds(10) };
        await using var ssc = new StreamingContext(TimeSpan.FromMilliseconds(100), options);
        var input = ssc.SocketTextStream("127.0.0.1", port, new SocketTextStreamOptions { ReadBufferSize = 2048 });
        input.ForEachBatch((batch, _) =>
        {
            if (!TextLineBlocks.TryGet(batch, out var blocks))
            {
                // A batch cut while no line had arrived (before the first read or after the last) is empty: nothing to
                // read as blocks. Every batch with lines must carry them as blocks.
                if (batch.Count > 0)
                {
                    Interlocked.Increment(ref withoutBlocks);
                }

                return;
            }

            for (var p = 0; p < blocks.PartitionCount; p++)
            {
                foreach (var block in blocks.GetPartition(p))
                {
                    Interlocked.Add(ref blockLines, block.LineCount);
                }
            }
        });
        WordPipelines.Compile(input).ForEachBatch((batch, _) => { foreach (var pair in batch) { spaces.Enqueue(pair); } });
        WordPipelines.CompileCountByValue(input).ForEachBatch((batch, _) => { foreach (var pair in batch) { byValue.Enqueue(pair); } });
        WordPipelines.CompileTrimmedByString(input).ForEachBatch((batch, _) => { foreach (var pair in batch) { trimmed.Enqueue(pair); } });
        ssc.Start();

        using (var connection = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            var stream = connection.GetStream();
            for (var offset = 0; offset < bytes.Length; offset += 5000)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(5000, bytes.Length - offset)));
                await stream.FlushAsync();
            }
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Volatile.Read(ref blockLines) < lines.Length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await ssc.StopAsync(graceful: true);

        Assert.Equal(lines.Length, Volatile.Read(ref blockLines));
        Assert.Equal(0, Volatile.Read(ref withoutBlocks));
        Assert.Equal(Expected(lines.SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)), 1), Totals(spaces));
        Assert.Equal(Expected(lines.SelectMany(line => line.Split(',', StringSplitOptions.TrimEntries)), 1), Totals(byValue));
        Assert.Equal(Expected(lines.SelectMany(line => line.Split(", ", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)), 2), Totals(trimmed));

        static (string, long)[] Totals<TCount>(IEnumerable<(string, TCount)> pairs) where TCount : System.Numerics.INumber<TCount> =>
            [.. pairs.GroupBy(p => p.Item1, StringComparer.Ordinal).Select(g => (g.Key, g.Aggregate(0L, (sum, p) => sum + long.CreateChecked(p.Item2)))).OrderBy(p => p.Key, StringComparer.Ordinal)];

        static (string, long)[] Expected(IEnumerable<string> all, long each) =>
            [.. all.GroupBy(w => w, StringComparer.Ordinal).Select(g => (g.Key, g.LongCount() * each)).OrderBy(p => p.Key, StringComparer.Ordinal)];
    }
}
