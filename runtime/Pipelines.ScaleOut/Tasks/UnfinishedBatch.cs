using Confluent.Kafka;

namespace Pipelines.ScaleOut;

/// <summary>
/// A batch of one input partition whose outputs are (partly) readable in the output topic but whose ledger record is
/// not: its owner died (or failed) between producing the outputs and committing. On a Kafka broker the next owner's
/// <c>InitTransactions</c> aborts that transaction and nothing of it is readable, so this is never found there. On
/// librdkafka's mock cluster (2.16.0) nothing is ever hidden from <c>read_committed</c> readers — neither an open nor an
/// aborted transaction's records — so the new owner finishes the batch instead: the same input range (from the stamps),
/// only the outputs whose indices are not readable yet, then the ledger record.
/// </summary>
internal sealed record UnfinishedBatch(BatchTime Time, long From, long Until, HashSet<int> Written)
{
    /// <summary>
    /// Reads the output topic from <paramref name="floors"/> (per output partition: no output of this input partition
    /// after batch <paramref name="after"/> is below it) to its end and collects the stamps of this input partition's
    /// batches after <paramref name="after"/>.
    /// </summary>
    public static UnfinishedBatch? Find(IConsumer<string, string> reader, string outputTopic, int outputPartitions, int inputPartition, BatchTime after, IReadOnlyDictionary<int, long> floors, TimeSpan timeout)
    {
        UnfinishedBatch? found = null;
        for (var q = 0; q < outputPartitions; q++)
        {
            var partition = new TopicPartition(outputTopic, q);
            var marks = reader.QueryWatermarkOffsets(partition, timeout);
            var from = Math.Max(floors.GetValueOrDefault(q), marks.Low.Value);
            foreach (var record in KafkaReads.Range(reader, partition, from, marks.High.Value, timeout))
            {
                if (BatchStamp.Read(record.Message.Headers) is not { } stamp || stamp.Partition != inputPartition || stamp.Time <= after)
                {
                    continue;
                }

                found ??= new UnfinishedBatch(stamp.Time, stamp.From, stamp.Until, []);
                if (stamp.Time != found.Time || stamp.From != found.From || stamp.Until != found.Until)
                {
                    throw new ScaleOutException(
                        $"The output topic '{outputTopic}' holds records of input partition {inputPartition} from two unfinished batches ({found.Time} [{found.From}, {found.Until}) and {stamp.Time} [{stamp.From}, {stamp.Until})); only one batch can be in flight per partition. Another process may be writing with this application id.");
                }

                found.Written.Add(stamp.Index);
            }
        }

        return found;
    }
}
