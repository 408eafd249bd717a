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

    internal void Validate()
    {
        if (RetainedCheckpoints < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RetainedCheckpoints), RetainedCheckpoints, "At least one checkpoint must be retained.");
        }
    }
}
