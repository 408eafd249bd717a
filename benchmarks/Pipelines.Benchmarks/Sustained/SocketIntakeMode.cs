using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Pipelines.Benchmarks.Data;
using Pipelines.Benchmarks.Harness;
using Pipelines.Benchmarks.WordCount;
using Pipelines.Receivers;

namespace Pipelines.Benchmarks.Sustained;

/// <summary>
/// The <c>--socket-intake</c> console mode (issue 14): the cost per line of a word count fed through a real socket
/// on 127.0.0.1, as wall time and as CPU time of the whole process (<see cref="Process.TotalProcessorTime"/>), for
/// a hand loop that reads the socket itself (1 MiB buffer, line ends by span search, each line decoded into a
/// reused char buffer, words counted by span) and for the Pipelines word count behind <c>SocketTextStream</c>.
/// The Pipelines run is split in two phases: intake (from connecting until the receiver holds every line) and the
/// batch (one step of a manual clock). A "drain" contender only reads and discards the bytes: what the server and
/// the kernel cost, common to all. Options: <c>--lines N</c> (default 500000), <c>--runs N</c> (default 5).
/// </summary>
public static class SocketIntakeMode
{
    /// <summary>Runs every contender <c>--runs</c> times and prints the medians.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> options)
    {
        var count = (int)Number(options, "--lines", 500_000);
        var runs = (int)Number(options, "--runs", 5);
        var lines = BenchmarkData.Lines(count);
        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
        var expected = new SpanWordCounter().Count(lines);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Socket intake: {count:N0} lines ({bytes.Length / 1e6:F1} MB) through 127.0.0.1, {runs} runs each, medians; {expected:N0} distinct words"));

        var contenders = new (string Name, Func<byte[], int, Task<Measure>> Run)[]
        {
            ("Drain (server + socket only)", DrainAsync),
            ("Hand socket loop", HandAsync),
            ("Pipelines compiled", (data, n) => PipelineAsync(data, n, WordCountPipeline.Compile)),
            ("Pipelines interpreted", (data, n) => PipelineAsync(data, n, WordCountPipeline.Define)),
        };

        var results = new List<(string Name, Measure Median)>();
        foreach (var (name, run) in contenders)
        {
            var measures = new List<Measure>();
            await run(bytes, count).ConfigureAwait(false); // warm-up
            for (var i = 0; i < runs; i++)
            {
                var measure = await run(bytes, count).ConfigureAwait(false);
                if (measure.Distinct != expected && measure.Distinct >= 0)
                {
                    throw new InvalidOperationException($"{name} counted {measure.Distinct} distinct words, expected {expected}.");
                }

                measures.Add(measure);
            }

            results.Add((name, Measure.Median(measures)));
        }

        Console.WriteLine();
        Console.WriteLine("| Contender | Wall ns/line | CPU ns/line | Intake wall ns/line | Intake CPU ns/line | Batch CPU ns/line |");
        Console.WriteLine("|-----------|-------------:|------------:|--------------------:|-------------------:|------------------:|");
        foreach (var (name, m) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Per(m.Wall, count)} | {Per(m.Cpu, count)} | {Per(m.IntakeWall, count)} | {Per(m.IntakeCpu, count)} | {Per(m.Cpu - m.IntakeCpu, count)} |"));
        }

        return 0;
    }

    private static string Per(TimeSpan time, int lines) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalNanoseconds / lines:F0}");

    /// <summary>Reads and discards: the cost of the server and the socket.</summary>
    private static async Task<Measure> DrainAsync(byte[] data, int count)
    {
        await using var server = await OneShotServer.StartAsync(data).ConfigureAwait(false);
        var (wall, cpu) = Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port).ConfigureAwait(false);
        var stream = client.GetStream();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        long total = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            total += read;
        }

        ArrayPool<byte>.Shared.Return(buffer);
        var measure = Stop(wall, cpu, -1);
        return total == data.Length ? measure with { IntakeWall = measure.Wall, IntakeCpu = measure.Cpu } : throw new InvalidOperationException("Short read.");
    }

    /// <summary>The hand loop: 1 MiB buffer, line ends by span search, each line decoded once into a reused char buffer.</summary>
    private static async Task<Measure> HandAsync(byte[] data, int count)
    {
        await using var server = await OneShotServer.StartAsync(data).ConfigureAwait(false);
        var counter = new SpanWordCounter();
        var (wall, cpu) = Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port).ConfigureAwait(false);
        var stream = client.GetStream();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        var chars = new char[4096];
        var held = 0;
        var lines = 0;
        counter.Reset();
        int read;
        while ((read = stream.Read(buffer, held, buffer.Length - held)) > 0)
        {
            var span = buffer.AsSpan(0, held + read);
            while (true)
            {
                var end = span.IndexOf((byte)'\n');
                if (end < 0)
                {
                    break;
                }

                var line = span[..end];
                if (line.Length > chars.Length)
                {
                    chars = new char[line.Length * 2];
                }

                var length = Encoding.UTF8.GetChars(line, chars);
                counter.AddLine(chars.AsSpan(0, length));
                lines++;
                span = span[(end + 1)..];
            }

            span.CopyTo(buffer);
            held = span.Length;
        }

        ArrayPool<byte>.Shared.Return(buffer);
        var measure = Stop(wall, cpu, counter.Distinct);
        return lines == count ? measure with { IntakeWall = measure.Wall, IntakeCpu = measure.Cpu } : throw new InvalidOperationException("Lines lost.");
    }

    /// <summary>SocketTextStream into the word count: intake until the receiver holds every line, then one batch.</summary>
    private static async Task<Measure> PipelineAsync(byte[] data, int count, Func<DStream<string>, DStream<(string Key, int Value)>> define)
    {
        await using var server = await OneShotServer.StartAsync(data).ConfigureAwait(false);
        ReceiverInputDStream<string>? input = null;
        var (wall, cpu) = Start();
        using var run = new PipelineRun<(string Key, int Value), int>(
            context =>
            {
                var lines = context.SocketTextStream("127.0.0.1", server.Port);
                input = (ReceiverInputDStream<string>)lines;
                return define(lines);
            },
            static batch => batch.Count,
            parallelism: 1);
        while (input!.Supervisor.PendingCount < count)
        {
            Thread.Sleep(1);
        }

        var intakeWall = wall.Elapsed;
        var intakeCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var distinct = run.Step();
        return Stop(wall, cpu, distinct) with { IntakeWall = intakeWall, IntakeCpu = intakeCpu };
    }

    private static (Stopwatch Wall, TimeSpan Cpu) Start() => (Stopwatch.StartNew(), Process.GetCurrentProcess().TotalProcessorTime);

    private static Measure Stop(Stopwatch wall, TimeSpan cpu, int distinct) =>
        new(wall.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu, TimeSpan.Zero, TimeSpan.Zero, distinct);

    private static double Number(IReadOnlyList<string> options, string name, double fallback)
    {
        var index = options.ToList().IndexOf(name);
        return index >= 0 && index + 1 < options.Count
            ? double.Parse(options[index + 1], CultureInfo.InvariantCulture)
            : fallback;
    }

    /// <summary>One run's figures.</summary>
    private sealed record Measure(TimeSpan Wall, TimeSpan Cpu, TimeSpan IntakeWall, TimeSpan IntakeCpu, int Distinct)
    {
        public static Measure Median(List<Measure> measures)
        {
            static TimeSpan Mid(IEnumerable<TimeSpan> values) => values.Order().ElementAt(values.Count() / 2);
            return new(Mid(measures.Select(m => m.Wall)), Mid(measures.Select(m => m.Cpu)), Mid(measures.Select(m => m.IntakeWall)), Mid(measures.Select(m => m.IntakeCpu)), measures[0].Distinct);
        }
    }

    /// <summary>A server on 127.0.0.1 that sends its bytes to the first client as fast as it can, then closes.</summary>
    private sealed class OneShotServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task _sending;

        private OneShotServer(TcpListener listener, Task sending)
        {
            _listener = listener;
            _sending = sending;
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static Task<OneShotServer> StartAsync(byte[] data)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var sending = Task.Run(async () =>
            {
                using var client = await listener.AcceptTcpClientAsync().ConfigureAwait(false);
                var stream = client.GetStream();
                for (var offset = 0; offset < data.Length; offset += 1 << 20)
                {
                    await stream.WriteAsync(data.AsMemory(offset, Math.Min(1 << 20, data.Length - offset))).ConfigureAwait(false);
                }
            });
            return Task.FromResult(new OneShotServer(listener, sending));
        }

        public async ValueTask DisposeAsync()
        {
            await _sending.ConfigureAwait(false);
            _listener.Stop();
        }
    }
}
