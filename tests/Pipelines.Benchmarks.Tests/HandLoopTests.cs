using Pipelines.Benchmarks.Join;
using Pipelines.Benchmarks.MapFilterSum;
using Pipelines.Benchmarks.WordCount;

namespace Pipelines.Benchmarks.Tests;

/// <summary>The hand-written contenders on edge cases the benchmark data does not reach.</summary>
public sealed class HandLoopTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(1_000)]
    [InlineData(600_001)]
    public void Branch_free_and_vector_loops_match_the_plain_loop_on_any_length(int length)
    {
        var random = new Random(length);
        var values = Enumerable.Range(0, length).Select(_ => random.Next(0, 1001)).ToArray();

        var expected = MapFilterSumLoops.PlainIf(values);

        Assert.Equal(expected, MapFilterSumLoops.BranchFree(values));
        Assert.Equal(expected, MapFilterSumLoops.Vectorized(values));
    }

    [Fact]
    public void Vector_loop_does_not_overflow_its_32_bit_lanes_past_one_block()
    {
        // 2^16 vectors per block, every value at the maximum: a block sum per lane is close to 2^31.
        var values = Enumerable.Repeat(1000, (1 << 16) * System.Numerics.Vector<int>.Count * 3 + 5).ToArray();

        Assert.Equal(3000L * values.Length, MapFilterSumLoops.Vectorized(values));
    }

    [Fact]
    public void Span_word_counter_keeps_its_vocabulary_but_counts_each_batch_afresh()
    {
        var counter = new SpanWordCounter();

        Assert.Equal(2, counter.Count(["a b a", "b"]));
        Assert.Equal([("a", 2), ("b", 2)], counter.Counts().OrderBy(p => p.Word, StringComparer.Ordinal));

        Assert.Equal(2, counter.Count(["c a"]));
        Assert.Equal([("a", 1), ("c", 1)], counter.Counts().OrderBy(p => p.Word, StringComparer.Ordinal));
    }

    [Fact]
    public void Span_word_counter_matches_the_split_loop_when_the_vocabulary_outgrows_its_first_arrays()
    {
        var lines = Enumerable.Range(0, 3_000).Select(i => $"w{i} w{i % 7} w{i % 13}").ToArray();
        var counter = new SpanWordCounter();

        counter.Count(lines);

        Assert.Equal(
            WordCountLoops.SplitLoop(lines).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)),
            counter.Counts().OrderBy(p => p.Word, StringComparer.Ordinal));
    }

    [Fact]
    public void Span_word_counter_line_by_line_counts_what_the_batch_count_counts()
    {
        var lines = Enumerable.Range(0, 3_000).Select(i => $"w{i % 50}  w{i % 7} w{i % 13} ").ToArray();
        var byBatch = new SpanWordCounter();
        var byLine = new SpanWordCounter();

        var distinct = byBatch.Count(lines);
        byLine.Reset();
        foreach (var line in lines)
        {
            byLine.AddLine(line.AsSpan());
        }

        Assert.Equal(distinct, byLine.Distinct);
        Assert.Equal(byBatch.Counts().OrderBy(p => p.Word, StringComparer.Ordinal), byLine.Counts().OrderBy(p => p.Word, StringComparer.Ordinal));

        byLine.Reset();
        byLine.AddLine("w1 w1");
        Assert.Equal([("w1", 2)], byLine.Counts());
    }

    [Fact]
    public void Hash_joiner_reused_on_a_smaller_batch_forgets_the_previous_one()
    {
        var joiner = new HashJoiner();
        Assert.Equal(1 * 10 + 1 * 20 + 2 * 30, joiner.JoinSum([(1, 1), (2, 2), (3, 5)], [(1, 10), (1, 20), (2, 30), (4, 99)]));

        Assert.Equal(7 * 3, joiner.JoinSum([(1, 7), (2, 1)], [(1, 3)]));
    }
}
