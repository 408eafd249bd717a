using System.Reflection;
using Pipelines.Compilation;
using Pipelines.Generators.Tests.Compiled;

namespace Pipelines.Generators.Tests;

/// <summary>
/// A compiled stage processes a warm batch without allocating: its hash tables are reused, lambdas are inlined,
/// and words already seen are looked up as spans. Measured around <see cref="IBatchStage{TIn, TOut}.Process"/>
/// with an output builder that already has room (wrapping the output in a <see cref="Batch{T}"/> is the
/// runtime's one object per batch, outside the stage).
/// </summary>
public sealed class AllocationTests
{
    [Fact]
    public void Compiled_map_filter_reduce_allocates_nothing_on_a_warm_batch()
    {
        var stage = CreateStage<int, (int Key, int Value)>(typeof(OperatorPipelines), "CompileMapFilterReduceStage");
        var input = Batch<int>.From(Enumerable.Range(0, 1000).ToArray());

        var allocated = MeasureWarm(stage, input);

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Compiled_word_count_allocates_nothing_on_a_warm_batch_of_known_words()
    {
        var stage = CreateStage<string, (string Word, int Count)>(typeof(WordPipelines), "CompileStage");
        var input = Batch<string>.From(Enumerable.Range(0, 200).Select(i => $"the quick  brown fox {i % 17} jumps over the lazy dog").ToArray());

        var allocated = MeasureWarm(stage, input);

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Compiled_word_count_allocates_for_new_words_only()
    {
        var stage = CreateStage<string, (string Word, int Count)>(typeof(WordPipelines), "CompileStage");
        var builder = new BatchBuilder<(string Word, int Count)>(64);
        stage.Process(Batch<string>.From(["a b a"]), builder);
        _ = builder.ToBatch();
        builder.EnsureCapacity(64);

        var before = GC.GetAllocatedBytesForCurrentThread();
        stage.Process(Batch<string>.From(["a b c"]), builder);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(allocated, 1, 200); // one string ("c") and possibly nothing else
        Assert.Equal(["(a, 1)", "(b, 1)", "(c, 1)"], builder.ToBatch().Select(r => r.ToString()));
    }

    private static long MeasureWarm<TIn, TOut>(IBatchStage<TIn, TOut> stage, Batch<TIn> input)
    {
        var builder = new BatchBuilder<TOut>(4096);
        for (var warm = 0; warm < 100; warm++)
        {
            stage.Process(input, builder);
            _ = builder.ToBatch();
            builder.EnsureCapacity(4096);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        stage.Process(input, builder);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(builder.Count > 0, "the stage produced no records, so the measurement would prove nothing");
        return allocated;
    }

    private static IBatchStage<TIn, TOut> CreateStage<TIn, TOut>(Type pipeline, string stageName)
    {
        var type = pipeline.GetNestedType(stageName, BindingFlags.NonPublic)
            ?? throw new InvalidOperationException($"{pipeline.Name} has no generated {stageName}.");
        return (IBatchStage<TIn, TOut>)Activator.CreateInstance(type)!;
    }
}
