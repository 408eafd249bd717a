using Pipelines.Testing;
using Pipelines.Tests.Receivers;

namespace Pipelines.Tests.Parity;

/// <summary>A direct input can say "no batch" for a time by returning <c>null</c> from <c>Read</c>.</summary>
public sealed class DirectInputNoBatchTests
{
    [Fact]
    public async Task Read_returning_null_gives_no_batch_downstream_and_fails_a_Union()
    {
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });
        var numbers = ssc.DirectStream(new EveryOtherBatch());
        var mapped = numbers.Map(n => n * 10);
        var produced = new Dictionary<BatchTime, int[]>();
        mapped.ForEachBatch((batch, time) => produced[time] = batch.ToArray());
        var unionFailures = new List<BatchTime>();
        numbers.Union(mapped).ForEachBatch((_, _) => { });
        ssc.AddStreamingListener(new FailureListener(unionFailures));
        ssc.Start();

        var t1 = await ssc.StepAsync();
        var t2 = await ssc.StepAsync();
        var t3 = await ssc.StepAsync();

        Assert.Equal([10], produced[t1]);
        Assert.False(produced.ContainsKey(t2)); // no batch: the output is not called
        Assert.Equal([30], produced[t3]);
        Assert.Equal([t2], unionFailures);
    }

    private sealed class FailureListener(List<BatchTime> failures) : IStreamingListener
    {
        public void OnBatchCompleted(BatchInfo batch)
        {
            if (batch.Failure is StreamingOperatorException { OperatorName: "Union" })
            {
                failures.Add(batch.BatchTime);
            }
        }
    }

    /// <summary>Batch k holds the record k, except that even batches have no batch at all.</summary>
    private sealed class EveryOtherBatch() : DirectInput<int, long, long>(ParityJson.Default.Int64, ParityJson.Default.Int64)
    {
        private long _next = 1;

        public override string SourceIdentity => "every-other";

        protected internal override long DecideRange(DirectBatchRequest request) => _next++;

        protected internal override long CountRecords(long range) => range % 2 == 0 ? 0 : 1;

        protected internal override Batch<int>? Read(BatchTime time, long range, CancellationToken cancellationToken) =>
            range % 2 == 0 ? null : Batch<int>.From([(int)range]);

        protected internal override void OnRangeReplayed(BatchTime time, long range) => _next = Math.Max(_next, range + 1);

        protected internal override long GetPosition() => _next;

        protected internal override void RestorePosition(long position) => _next = position;
    }
}
