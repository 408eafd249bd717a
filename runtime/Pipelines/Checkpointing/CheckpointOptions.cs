using System.Text.Json;

namespace Pipelines;

/// <summary>How a <see cref="StreamingContext"/> writes and recovers checkpoints.</summary>
public sealed class CheckpointOptions
{
    /// <summary>How many checkpoint files to keep (the newest ones); older ones are deleted. At least 1; default 3.</summary>
    public int RetainedCheckpoints { get; init; } = 3;

    /// <summary>
    /// When the checkpoint was written by a different pipeline definition (a fingerprint differs) or with a
    /// different batch interval: <c>false</c> (the default) fails with a <see cref="CheckpointException"/>;
    /// <c>true</c> deletes the old checkpoints, journal and write-ahead log and starts fresh.
    /// </summary>
    public bool DiscardIncompatible { get; init; }

    /// <summary>
    /// How keyed state and receiver records are serialized. Add converters or a source-generated
    /// <c>JsonSerializerContext</c> (through <see cref="JsonSerializerOptions.TypeInfoResolver"/>) for types
    /// System.Text.Json cannot handle by default. Types are never named in the checkpoint: what is read back is
    /// the type the pipeline declares.
    /// </summary>
    public JsonSerializerOptions SerializerOptions { get; init; } = new(JsonSerializerDefaults.General) { IncludeFields = true };

    /// <summary>
    /// Whether receiver streams write what they receive to a write-ahead log in the checkpoint folder before it
    /// counts as stored (Spark's <c>spark.streaming.receiver.writeAheadLog.enable</c>), so that batches lost in a
    /// failure are replayed from it. Default <c>false</c>. Receivers that acknowledge to their source should
    /// store blocks with <c>Receiver.StoreAsync</c> and acknowledge when it completes.
    /// </summary>
    public bool ReceiverWriteAheadLog { get; init; }

    /// <summary>The size at which a write-ahead log segment is closed and a new one started (default 4 MiB); whole segments are deleted once no retained checkpoint needs them.</summary>
    public long WriteAheadLogSegmentBytes { get; init; } = 4 * 1024 * 1024;

    internal void Validate()
    {
        if (WriteAheadLogSegmentBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(WriteAheadLogSegmentBytes), WriteAheadLogSegmentBytes, "The write-ahead log segment size must be positive.");
        }

        if (RetainedCheckpoints < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RetainedCheckpoints), RetainedCheckpoints, "At least one checkpoint must be retained.");
        }
    }
}
