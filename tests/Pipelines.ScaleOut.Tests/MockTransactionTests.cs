using Confluent.Kafka;

namespace Pipelines.ScaleOut.Tests;

/// <summary>
/// What librdkafka's mock cluster (Confluent.Kafka 2.16.0) does with transactions, as the scale-out design relies on
/// it: nothing is hidden from <c>read_committed</c> readers (the classic Fetch answers with the last stable offset at the
/// high watermark and no aborted transactions), and a second <c>InitTransactions</c> with the same transactional id
/// neither aborts the first producer's open transaction nor fences it. A Kafka broker does all three. If these facts
/// change with a librdkafka upgrade, the unfinished-batch completion (<c>UnfinishedBatch</c>) becomes a no-op there
/// and this test says so.
/// </summary>
public sealed class MockTransactionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_mock_cluster_shows_aborted_and_orphaned_transactions_to_read_committed_readers_and_does_not_fence()
    {
        using var kit = new ScaleOutTestKit();
        kit.Cluster.CreateTopic("t", 1);

        using (var aborting = Producer(kit, "aborting"))
        {
            aborting.InitTransactions(Timeout);
            aborting.BeginTransaction();
            aborting.Produce(new TopicPartition("t", 0), new Message<string?, string> { Key = "k", Value = "aborted" });
            Assert.Equal(0, aborting.Flush(Timeout)); // on the broker before the abort
            aborting.AbortTransaction(Timeout);
        }

        using var dead = Producer(kit, "task-0");
        dead.InitTransactions(Timeout);
        dead.BeginTransaction();
        dead.Produce(new TopicPartition("t", 0), new Message<string?, string> { Key = "k", Value = "orphan" });
        Assert.Equal(0, dead.Flush(Timeout)); // then the owner "dies": the transaction stays open

        Assert.Equal(["aborted", "orphan"], Committed(kit));

        using (var next = Producer(kit, "task-0"))
        {
            next.InitTransactions(Timeout); // a broker would abort "orphan" here and fence the dead producer
            next.BeginTransaction();
            next.Produce(new TopicPartition("t", 0), new Message<string?, string> { Key = "k", Value = "next" });
            next.CommitTransaction(Timeout);
        }

        Assert.Equal(["aborted", "orphan", "next"], Committed(kit));

        dead.Produce(new TopicPartition("t", 0), new Message<string?, string> { Key = "k", Value = "zombie" });
        dead.CommitTransaction(Timeout); // not fenced
        Assert.Equal(["aborted", "orphan", "next", "zombie"], Committed(kit));
    }

    private static IProducer<string?, string> Producer(ScaleOutTestKit kit, string transactionalId) =>
        new ProducerBuilder<string?, string>(new ProducerConfig { BootstrapServers = kit.Bootstrap, TransactionalId = transactionalId, EnableIdempotence = true, LingerMs = 5 }).Build();

    private static string[] Committed(ScaleOutTestKit kit) => [.. kit.ReadAll("t", IsolationLevel.ReadCommitted).Select(r => r.Message.Value)];
}
