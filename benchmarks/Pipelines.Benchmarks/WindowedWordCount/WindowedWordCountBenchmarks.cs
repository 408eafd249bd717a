using Akka.Actor;
using Akka.Streams;
using BenchmarkDotNet.Attributes;
using Pipelines.Benchmarks.Data;
using Pipelines.Benchmarks.Harness;

namespace Pipelines.Benchmarks.WindowedWordCount;

/// <summary>
/// W7 windowed word count (issue 14): batches of 10,000 lines of 8–12 words from W2's Zipf-like vocabulary; at
/// every batch, the word counts of the last 10 batches (slide 1 batch), words with a zero count left out. One
/// operation is a run of <see cref="Batches"/> batches; the reported time is per batch
/// (<c>OperationsPerInvoke</c>). Every contender writes its windows to a <see cref="ChecksumSink"/>; the setup
/// throws unless all checksums agree.
/// </summary>
[MemoryDiagnoser]
[Throughput("W7 windowed word count", LinesPerBatch, "lines")]
[BenchmarkCategory("W7")]
public class WindowedWordCountBenchmarks : IDisposable
{
    /// <summary>Batches per run.</summary>
    public const int Batches = 30;

    /// <summary>Lines per batch.</summary>
    public const int LinesPerBatch = 10_000;

    private readonly HandWindowedWordCounter _hand = new();
    private string[][] _batches = [];
    private ActorSystem? _actorSystem;
    private IMaterializer? _materializer;
    private SteadyRun<string, (string Key, int Value)>? _steady;

    /// <summary>What every benchmark method returns: the agreed checksum, set by <c>Setup</c>.</summary>
    public long Expected { get; private set; }

    /// <summary>Builds the data and the actor system, then checks that every contender agrees.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _batches = Data(Batches, LinesPerBatch);
        StartActorSystem();
        Expected = Agreement.Require("W7 windowed word count", Contenders());
        _steady = new SteadyRun<string, (string Key, int Value)>(WindowedWordCountPipeline.Compile);
    }

    /// <summary>Starts the actor system Akka.Streams runs on (once); <see cref="Run"/> needs it for the Akka contender.</summary>
    public void StartActorSystem()
    {
        _actorSystem ??= ActorSystem.Create("w7", global::Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"));
        _materializer ??= global::Akka.Streams.ActorMaterializerExtensions.Materializer(_actorSystem);
    }

    /// <summary>The W7 input: <paramref name="batches"/> batches of <paramref name="linesPerBatch"/> lines of W2's generator.</summary>
    public static string[][] Data(int batches, int linesPerBatch, int vocabularySize = 20_000)
    {
        var lines = BenchmarkData.Lines(batches * linesPerBatch, vocabularySize);
        var result = new string[batches][];
        for (var b = 0; b < batches; b++)
        {
            result[b] = lines[(b * linesPerBatch)..((b + 1) * linesPerBatch)];
        }

        return result;
    }

    /// <summary>Every contender, the baseline first; each returns the checksum of all its windows.</summary>
    public IReadOnlyList<Contender<long>> Contenders() =>
    [
        new("Hand: span loop + incremental window", Hand),
        new("System.Reactive", Rx),
        new("R3", R3),
        new("Akka.Streams", Akka),
        new("TPL Dataflow", Dataflow),
        new("Pipelines: interpreted", Interpreted),
        new("Pipelines: compiled", Compiled),
    ];

    /// <summary>Runs one contender on the given batches into <paramref name="sink"/> (for the tests' small inputs).</summary>
    public void Run(string contender, string[][] batches, IWindowedCountSink sink)
    {
        switch (contender)
        {
            case "Hand": _hand.Run(batches, WindowedWordCountPipeline.Window, sink); break;
            case "Rx": PeerWindowedWordCounts.Rx(batches, WindowedWordCountPipeline.Window, sink); break;
            case "R3": PeerWindowedWordCounts.R3Observable(batches, WindowedWordCountPipeline.Window, sink); break;
            case "Akka": PeerWindowedWordCounts.AkkaStreams(batches, WindowedWordCountPipeline.Window, sink, Materializer); break;
            case "Dataflow": PeerWindowedWordCounts.Dataflow(batches, WindowedWordCountPipeline.Window, sink); break;
            case "Interpreted": WindowedWordCountRuns.Run(batches, WindowedWordCountPipeline.Define, sink); break;
            case "Compiled": WindowedWordCountRuns.Run(batches, WindowedWordCountPipeline.Compile, sink); break;
            default: throw new ArgumentException($"Unknown W7 contender '{contender}'.", nameof(contender));
        }
    }

    /// <summary>The names <see cref="Run"/> accepts.</summary>
    public static IReadOnlyList<string> ContenderNames { get; } = ["Hand", "Rx", "R3", "Akka", "Dataflow", "Interpreted", "Compiled"];

    /// <summary>The hand span loop with a hand incremental window (the baseline).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batches)]
    public long Hand() => Checksum("Hand");

    /// <summary>System.Reactive.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long Rx() => Checksum("Rx");

    /// <summary>R3.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long R3() => Checksum("R3");

    /// <summary>Akka.Streams.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long Akka() => Checksum("Akka");

    /// <summary>TPL Dataflow.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long Dataflow() => Checksum("Dataflow");

    /// <summary>The Pipelines definition, interpreted.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long Interpreted() => Checksum("Interpreted");

    /// <summary>The generated <c>Compile</c>.</summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long Compiled() => Checksum("Compiled");

    /// <summary>
    /// The generated <c>Compile</c> in one context kept running across invocations (the steady state of a long-running
    /// job: vocabulary interned, tables grown, window full); <see cref="Compiled"/> starts a fresh context per run.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Batches)]
    public long CompiledSteady()
    {
        var sink = new ChecksumSink();
        (_steady ?? throw new InvalidOperationException("Call Setup first.")).Run(_batches, (index, pair) => sink.Add(index, pair.Key, pair.Value));
        return sink.Value;
    }

    /// <summary>Shuts the actor system and the steady pipeline down.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _steady?.Dispose();
        _steady = null;
        _actorSystem?.Terminate().Wait(TimeSpan.FromSeconds(30));
        _actorSystem?.Dispose();
        _actorSystem = null;
        _materializer = null;
        GC.SuppressFinalize(this);
    }

    private IMaterializer Materializer => _materializer ?? throw new InvalidOperationException("Call StartActorSystem (or Setup) first: it starts the actor system Akka.Streams runs on.");

    private long Checksum(string contender)
    {
        var sink = new ChecksumSink();
        Run(contender, _batches, sink);
        return sink.Value;
    }
}
