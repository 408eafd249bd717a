using CsCheck;
using Pipelines.Generators.Tests.Compiled;
using Pipelines.Generators.Tests.Support;
using Pipelines.Testing;

namespace Pipelines.Generators.Tests;

/// <summary>
/// Spark parity through the compiled path: Spark's BasicOperationsSuite vectors with missing input batches give the
/// same batches and the same failures compiled (<c>Compile…</c>) as interpreted (<c>Define…</c>), and definitions
/// using the numPartitions overloads of the window and state operators compile and match on random input.
/// </summary>
public sealed class ParityTests
{
    private static readonly string Seed = new PCG(11, 20261203).ToString();
    private static readonly Gen<string[][]> Words = Gen.String[Gen.Char["abc"], 0, 2].Array[0, 8].Array[1, 6];

    private static int[] Range(int from, int to) => Enumerable.Range(from, to - from + 1).ToArray();

    [Fact]
    public void Union_with_an_input_that_has_no_batch_fails_at_the_same_time_compiled_and_interpreted()
    {
        IEnumerable<int>?[] input = [Range(1, 4), Range(101, 104), Range(201, 204), null];

        var interpreted = Steps(input, ParityPipelines.DefineUnionWithMapped);
        var compiled = Steps(input, ParityPipelines.CompileUnionWithMapped);

        Assert.Equal(interpreted, compiled);
        Assert.Equal([string.Join(",", Range(1, 8)), string.Join(",", Range(101, 108)), string.Join(",", Range(201, 208)), "failed Union at 4000"], compiled);
    }

    [Fact]
    public void Transform_with_an_input_that_has_no_batch_fails_at_the_same_time_compiled_and_interpreted()
    {
        IEnumerable<int>?[] input = [Range(1, 4), Range(5, 8), null];

        var compiled = Steps(input, ParityPipelines.CompileTransformToString);

        Assert.Equal(Steps(input, ParityPipelines.DefineTransformToString), compiled);
        Assert.Equal(["1,2,3,4", "5,6,7,8", "failed Transform at 3000"], compiled);
    }

    [Fact]
    public void TransformWith_with_inputs_that_have_no_batch_fails_at_the_same_time_compiled_and_interpreted()
    {
        IEnumerable<string>?[] left = [["a", "b"], ["a", ""], [""], null];
        IEnumerable<string>?[] right = [["a", "b"], ["b", ""], [], null];

        var compiled = Steps(left, right, ParityPipelines.CompileTransformWithUnion);

        Assert.Equal(Steps(left, right, ParityPipelines.DefineTransformWithUnion), compiled);
        Assert.Equal(["a,b,a,b", "a,,b,", "", "failed TransformWith at 4000"], compiled);
    }

    [Fact]
    public void UpdateStateByKey_object_lifecycle_with_missing_batches_matches_Spark_compiled_and_interpreted()
    {
        IEnumerable<string>?[] input = [["a", "b"], null, ["a", "c", "a"], ["c"], null, null];
        string[] spark = ["a=1,b=1", "a=1,b=1", "a=3,c=1", "a=3,c=2", "c=2", ""];

        Assert.Equal(spark, Steps(input, ParityPipelines.DefineStateLifecycle, sort: true));
        Assert.Equal(spark, Steps(input, ParityPipelines.CompileStateLifecycle, sort: true));
    }

    [Fact]
    public void UpdateStateByKey_has_no_batch_before_its_first_input_batch_compiled_and_interpreted()
    {
        IEnumerable<string>?[] input = [null, ["a"], null];

        Assert.Equal(["none", "a=1", "a=1"], Steps(input, ParityPipelines.DefineStateLifecycle, sort: true));
        Assert.Equal(["none", "a=1", "a=1"], Steps(input, ParityPipelines.CompileStateLifecycle, sort: true));
    }

    [Fact]
    public void ReduceByKeyAndWindow_with_numPartitions_matches_interpreted() =>
        Same(ParityPipelines.DefineWindowInPartitions, ParityPipelines.CompileWindowInPartitions);

    [Fact]
    public void Incremental_ReduceByKeyAndWindow_with_numPartitions_matches_interpreted() =>
        Same(ParityPipelines.DefineInverseWindowInPartitions, ParityPipelines.CompileInverseWindowInPartitions);

    [Fact]
    public void GroupByKeyAndWindow_with_numPartitions_matches_interpreted() =>
        Same(ParityPipelines.DefineGroupWindowInPartitions, ParityPipelines.CompileGroupWindowInPartitions);

    [Fact]
    public void CountByValueAndWindow_with_numPartitions_matches_interpreted() =>
        Same(ParityPipelines.DefineCountByValueWindowInPartitions, ParityPipelines.CompileCountByValueWindowInPartitions);

    [Fact]
    public void UpdateStateByKey_with_numPartitions_matches_interpreted() =>
        Same(ParityPipelines.DefineStateInPartitions, ParityPipelines.CompileStateInPartitions);

    [Fact]
    public void Timed_UpdateStateByKey_with_numPartitions_matches_interpreted() =>
        Same(ParityPipelines.DefineTimedStateInPartitions, ParityPipelines.CompileTimedStateInPartitions);

    [Fact]
    public void MapWithState_with_StateSpec_NumPartitions_matches_interpreted() =>
        Same(ParityPipelines.DefineMapWithStateInPartitions, ParityPipelines.CompileMapWithStateInPartitions);

    [Fact]
    public void The_compiled_window_and_state_streams_keep_their_partition_count()
    {
        var counts = new List<int?>();
        StreamingTest.Run<string, string>([["a"]], words =>
        {
            counts.Add(FindNumPartitions(ParityPipelines.CompileWindowInPartitions(words)));
            counts.Add(FindNumPartitions(ParityPipelines.CompileStateInPartitions(words)));
            counts.Add(FindNumPartitions(ParityPipelines.CompileCountByValueWindowInPartitions(words)));
            return words;
        }, numBatches: 1);

        Assert.Equal([3, 2, 2], counts);
    }

    /// <summary>The partition count of the stream or, when the compiled definition ends with the runtime's operator, that operator's.</summary>
    private static int? FindNumPartitions(DStream stream) => stream.NumPartitions;

    private static void Same<TOut>(Func<DStream<string>, DStream<TOut>> define, Func<DStream<string>, DStream<TOut>> compile) =>
        Words.Sample(
            batches =>
            {
                var interpreted = StreamingTest.Run(batches, define, batches.Length + 3);
                var compiled = StreamingTest.Run(batches, compile, batches.Length + 3);
                Assert.Equal(Records.Multisets(interpreted), Records.Multisets(compiled));
            },
            seed: Seed,
            iter: 40,
            threads: 1);

    private static List<string> Steps<TIn, TOut>(IEnumerable<TIn>?[] input, Func<DStream<TIn>, DStream<TOut>> operation, bool sort = false)
    {
        using var run = StreamingTest.Start(input, operation);
        var steps = new List<string>();
        for (var i = 0; i < input.Length; i++)
        {
            steps.Add(Describe(run.Step(), sort));
        }

        return steps;
    }

    private static List<string> Steps<TLeft, TRight, TOut>(
        IEnumerable<TLeft>?[] left, IEnumerable<TRight>?[] right, Func<DStream<TLeft>, DStream<TRight>, DStream<TOut>> operation)
    {
        using var run = StreamingTest.Start(left, right, operation);
        var steps = new List<string>();
        for (var i = 0; i < left.Length; i++)
        {
            steps.Add(Describe(run.Step(), sort: false));
        }

        return steps;
    }

    private static string Describe<TOut>(StreamingTestBatch<TOut> batch, bool sort)
    {
        if (batch.Failure is StreamingOperatorException failure)
        {
            return $"failed {failure.OperatorName} at {failure.BatchTime.Milliseconds}";
        }

        if (batch.Failure is { } other)
        {
            return "failed: " + other.Message;
        }

        if (!batch.Produced)
        {
            return "none";
        }

        var records = batch.Records.Select(r => r is ValueTuple<string, int> pair ? $"{pair.Item1}={pair.Item2}" : Convert.ToString(r, System.Globalization.CultureInfo.InvariantCulture) ?? "");
        return string.Join(",", sort ? records.Order(StringComparer.Ordinal) : records);
    }
}
