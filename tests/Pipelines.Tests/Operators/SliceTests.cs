using Pipelines.Testing;

namespace Pipelines.Tests.Operators;

public sealed class SliceTests
{
    [Fact]
    public void Slice_returns_copies_of_the_remembered_batches_in_the_interval()
    {
        IReadOnlyList<Batch<int>>? sliced = null;
        using var run = StreamingTest.Start<int, int>([[1], [2], [3], [4]], s =>
        {
            s.Context.Remember(TimeSpan.FromSeconds(10));
            var doubled = s.Map(x => x * 2);
            doubled.ForEachBatch((_, time) =>
            {
                if (time == new BatchTime(4000))
                {
                    sliced = doubled.Slice(new BatchTime(2000), new BatchTime(3500));
                }
            });
            return doubled;
        });

        for (var i = 0; i < 4; i++)
        {
            Assert.Null(run.Step().Failure);
        }

        Assert.NotNull(sliced);
        Assert.Equal([[4], [6]], sliced.Select(b => b.ToArray()));
    }

    [Fact]
    public void Slice_rejects_an_interval_that_ends_before_it_starts()
    {
        StreamingTest.Run([[1]], s =>
        {
            Assert.Throws<ArgumentException>(() => s.Slice(new BatchTime(2000), new BatchTime(1000)));
            return s;
        }, numBatches: 1);
    }
}
