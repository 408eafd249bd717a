using System.Text.Json;
using Pipelines.Checkpointing;

namespace Pipelines.Receivers;

/// <summary>
/// The write-ahead log of a receiver stream (when <see cref="CheckpointOptions.ReceiverWriteAheadLog"/> is on):
/// its position is the first log sequence in no batch, each batch is described by its log range.
/// </summary>
internal sealed partial class ReceiverInputDStream<T> : IWriteAheadLoggedInput
{
    private ReceivedBlockLog<T>? BlockLog => Supervisor.BlockLog;

    public void EnableWriteAheadLog(WriteAheadLog log, JsonSerializerOptions options, Action<CheckpointException> fail) =>
        Supervisor.BlockLog = new ReceivedBlockLog<T>(log, options, fail);

    public int RequeueUnassigned() => BlockLog?.RequeueUnassigned() ?? 0;

    public void WriteBatch(BatchTime time, Utf8JsonWriter writer, JsonSerializerOptions options)
    {
        if (BlockLog is { } log)
        {
            log.WriteBatch(time, writer);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    public long RestoreBatch(BatchTime time, JsonElement? descriptor, JsonSerializerOptions options) =>
        BlockLog is { } log ? Seal(time, log.Restore(time, descriptor)) : 0;

    public void WritePosition(Utf8JsonWriter writer, JsonSerializerOptions options) => writer.WriteNumberValue(BlockLog?.Position ?? 0);

    public Action ReadPosition(JsonElement position, JsonSerializerOptions options)
    {
        var sequence = position.GetInt64();
        if (sequence < 0)
        {
            throw new InvalidDataException($"the write-ahead log position {sequence} is negative");
        }

        return () =>
        {
            if (BlockLog is { } log)
            {
                log.Position = sequence;
            }
        };
    }

    public void TrimThrough(BatchTime time) => BlockLog?.TrimThrough(time);
}
