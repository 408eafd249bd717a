namespace Pipelines.Generators.Tests.Compiled;

/// <summary>Compiled stages whose first record of each 2048-record partition meets at a barrier, to prove that partitions run at the same time.</summary>
[StreamingPipeline]
public static partial class ConcurrencyPipelines
{
    public static DStream<int> DefineRendezvous(DStream<int> numbers) => numbers.Map(n => n % 2048 == 0 ? Rendezvous.Meet(n) : n);

    public static DStream<(int Key, int Value)> DefineRendezvousReduce(DStream<int> numbers) =>
        numbers.Map(n => (n % 2, n % 2048 == 0 ? Rendezvous.Meet(n) : n)).ReduceByKey((a, b) => a + b);

    public static DStream<(int Key, IReadOnlyList<int> Values)> DefineRendezvousGroup(DStream<int> numbers) =>
        numbers.Map(n => (n % 2, n % 2048 == 0 ? Rendezvous.Meet(n) : n)).GroupByKey();

    public static DStream<(int Key, int Value)> DefineRendezvousWindow(DStream<int> numbers) =>
        numbers.Map(n => (n % 2, n % 2048 == 0 ? Rendezvous.Meet(n) : n))
               .ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(2), filter: p => p.Value != 0);
}

/// <summary>The barrier the records of <see cref="ConcurrencyPipelines"/> wait at (two participants, 30 s timeout).</summary>
public static class Rendezvous
{
    private static Barrier _barrier = new(2);

    /// <summary>A fresh two-party barrier for the next test.</summary>
    public static void Reset() => _barrier = new Barrier(2);

    /// <summary>Waits for another record at the barrier; throws when none arrives in 30 s.</summary>
    public static int Meet(int value) =>
        _barrier.SignalAndWait(TimeSpan.FromSeconds(30)) ? value : throw new TimeoutException("No other partition reached the barrier: partitions did not run at the same time.");
}
