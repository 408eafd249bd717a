using System.Reflection;
using Pipelines.Generators.Tests.Compiled;
using Pipelines.Generators.Tests.Support;
using Pipelines.Testing;

namespace Pipelines.Generators.Tests;

/// <summary>
/// Compiled stages with partitions running at the same time: every compiled definition of one input gives, batch
/// for batch, the multisets its interpreted definition gives at parallelism 1, with input batches of 1, 2 and 8
/// partitions and a parallelism of 1, 2 and 4 (windows included: their per-batch part reduces partitions at the
/// same time into partition-local tables, merged into the window's slice in order).
/// </summary>
[Collection(nameof(PartitionedDifferentialTests))]
public sealed class PartitionedDifferentialTests
{
    private const int Batches = 4;

    private static readonly int[] TwoPartitions = Enumerable.Range(0, 4096).ToArray();

    public static TheoryData<int, int> Settings => new() { { 1, 1 }, { 1, 2 }, { 1, 8 }, { 2, 2 }, { 4, 1 }, { 4, 2 }, { 4, 8 } };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Compiled_definitions_match_interpreted_at_parallelism_1(int parallelism, int partitions)
    {
        var random = new Random(20261203 + (parallelism * 10) + partitions);
        var numbers = Input(random, () => random.Next(-20, 60));
        var pairs = Input(random, () => (random.Next(0, 7), random.Next(-9, 30)));
        var lines = Input(random, () => string.Concat(Enumerable.Range(0, random.Next(0, 12)).Select(_ => "ab ,c"[random.Next(5)])));

        Check(typeof(OperatorPipelines), numbers, parallelism, partitions);
        Check(typeof(OperatorPipelines), pairs, parallelism, partitions);
        Check(typeof(WordPipelines), lines, parallelism, partitions);
        Check(typeof(WindowPipelines), numbers, parallelism, partitions);
        Check(typeof(WindowPipelines), lines, parallelism, partitions);
        Check(typeof(WindowPipelines), pairs, parallelism, partitions);
        Check(typeof(StatePipelines), numbers, parallelism, partitions);
    }

    [Fact]
    public void Two_partitions_of_one_batch_run_at_the_same_time_in_a_compiled_stage()
    {
        Rendezvous.Reset();
        using var run = StreamingTest.Start<int, int>([TwoPartitions], ConcurrencyPipelines.CompileRendezvous, options: new StreamingOptions { Parallelism = 2, InputPartitionRecords = 2048 });

        var batch = run.Step();

        Assert.Null(batch.Failure);
        Assert.Equal(TwoPartitions, batch.Records);
    }

    [Fact]
    public void The_map_side_of_a_compiled_shuffle_runs_partitions_at_the_same_time()
    {
        Rendezvous.Reset();
        using var run = StreamingTest.Start<int, (int Key, int Value)>(
            [TwoPartitions], ConcurrencyPipelines.CompileRendezvousReduce, options: new StreamingOptions { Parallelism = 2, InputPartitionRecords = 2048 });

        var batch = run.Step();

        Assert.Null(batch.Failure);
        Assert.Equal([(0, TwoPartitions.Where(n => n % 2 == 0).Sum()), (1, TwoPartitions.Where(n => n % 2 == 1).Sum())], batch.Records.Order());
    }

    [Fact]
    public void The_map_side_of_a_compiled_GroupByKey_runs_partitions_at_the_same_time_and_keeps_partition_order()
    {
        Rendezvous.Reset();
        using var run = StreamingTest.Start<int, (int Key, IReadOnlyList<int> Values)>(
            [TwoPartitions], ConcurrencyPipelines.CompileRendezvousGroup, options: new StreamingOptions { Parallelism = 2, InputPartitionRecords = 2048 });

        var batch = run.Step();

        Assert.Null(batch.Failure);
        var groups = batch.Records.OrderBy(g => g.Key).ToArray();
        Assert.Equal([0, 1], groups.Select(g => g.Key));
        Assert.Equal(TwoPartitions.Where(n => n % 2 == 0), groups[0].Values);
        Assert.Equal(TwoPartitions.Where(n => n % 2 == 1), groups[1].Values);
    }

    [Fact]
    public void The_per_batch_part_of_a_compiled_window_reduces_partitions_at_the_same_time()
    {
        Rendezvous.Reset();
        using var run = StreamingTest.Start<int, (int Key, int Value)>(
            [TwoPartitions, TwoPartitions], ConcurrencyPipelines.CompileRendezvousWindow, options: new StreamingOptions { Parallelism = 2, InputPartitionRecords = 2048 });

        var first = run.Step();
        Rendezvous.Reset();
        var second = run.Step();

        Assert.Null(first.Failure);
        Assert.Null(second.Failure);
        int Sum(int key) => TwoPartitions.Where(n => n % 2 == key).Sum();
        Assert.Equal([(0, Sum(0)), (1, Sum(1))], first.Records.Order());
        Assert.Equal([(0, 2 * Sum(0)), (1, 2 * Sum(1))], second.Records.Order());
    }

    private static T[][] Input<T>(Random random, Func<T> next) =>
        Enumerable.Range(0, Batches).Select(_ => Enumerable.Range(0, random.Next(0, 3000)).Select(_ => next()).ToArray()).ToArray();

    /// <summary>Every Define…/Compile… pair of <paramref name="pipelines"/> with one parameter of element type <typeparamref name="T"/>.</summary>
    private static void Check<T>(Type pipelines, T[][] input, int parallelism, int partitions)
    {
        var largest = input.Max(batch => batch.Length);
        var options = new StreamingOptions { Parallelism = parallelism, InputPartitionRecords = Math.Max(1, (largest + partitions - 1) / partitions) };
        foreach (var define in pipelines.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name.StartsWith("Define", StringComparison.Ordinal)))
        {
            var parameters = define.GetParameters();
            if (parameters.Length != 1 || parameters[0].ParameterType != typeof(DStream<T>) || define.Name == nameof(OperatorPipelines.DefineDivide)
                || define.Name.StartsWith("DefineThrowing", StringComparison.Ordinal))
            {
                continue;
            }

            var compile = pipelines.GetMethod("Compile" + define.Name["Define".Length..])!;
            var outputType = define.ReturnType.GetGenericArguments()[0];
            var run = typeof(PartitionedDifferentialTests).GetMethod(nameof(RunBoth), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(typeof(T), outputType);
            run.Invoke(null, [define, compile, input, options, $"{pipelines.Name}.{compile.Name} at parallelism {parallelism}, {partitions} partition(s)"]);
        }
    }

    private static void RunBoth<TIn, TOut>(MethodInfo define, MethodInfo compile, TIn[][] input, StreamingOptions options, string what)
    {
        // The same partitions at parallelism 1: CombineByKey's combiners depend on the partitions, as in Spark.
        var reference = Run(input, define.CreateDelegate<Func<DStream<TIn>, DStream<TOut>>>(), new StreamingOptions { Parallelism = 1, InputPartitionRecords = options.InputPartitionRecords });
        var compiled = Run(input, compile.CreateDelegate<Func<DStream<TIn>, DStream<TOut>>>(), options);
        var interpreted = Run(input, define.CreateDelegate<Func<DStream<TIn>, DStream<TOut>>>(), options);
        Assert.True(Records.Multisets(reference).SequenceEqual(Records.Multisets(compiled), new ArrayComparer()), "compiled differs: " + what);
        Assert.True(Records.Multisets(reference).SequenceEqual(Records.Multisets(interpreted), new ArrayComparer()), "interpreted differs: " + what);
    }

    private static IReadOnlyList<IReadOnlyList<TOut>> Run<TIn, TOut>(TIn[][] input, Func<DStream<TIn>, DStream<TOut>> operation, StreamingOptions options)
    {
        using var run = StreamingTest.Start(input, operation, options: options);
        return run.RunToList(Batches + 3);
    }

    private sealed class ArrayComparer : IEqualityComparer<List<string>>
    {
        public bool Equals(List<string>? x, List<string>? y) => x!.SequenceEqual(y!);

        public int GetHashCode(List<string> obj) => obj.Count;
    }
}
