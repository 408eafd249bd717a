using System.Text.Json;

namespace Pipelines.Checkpointing;

/// <summary>
/// A stream that keeps data between batches (keyed state, what an inverse window subtracts) and saves it in
/// checkpoints. Called on the job loop, between batches.
/// </summary>
internal interface ICheckpointedStream
{
    /// <summary>Writes the data as of the completed batch at <paramref name="time"/> as one JSON value.</summary>
    void WriteState(BatchTime time, Utf8JsonWriter writer, JsonSerializerOptions options);

    /// <summary>
    /// Reads and checks what <see cref="WriteState"/> wrote at <paramref name="time"/>, changing nothing, and returns
    /// the step that loads it (batches after it are computed from there). Content that cannot be restored (a changed
    /// type, a null key, a short entry) throws here, so recovery can fall back to an older checkpoint.
    /// </summary>
    Action ReadState(BatchTime time, JsonElement state, JsonSerializerOptions options);
}

/// <summary>
/// An input that can reproduce its batches after a restart (a file source, a receiver with a write-ahead log).
/// Called under the scheduler's generation lock, so a position and the journaled batches always agree.
/// </summary>
internal interface ICheckpointedInput
{
    /// <summary>Describes the sealed batch at <paramref name="time"/> (e.g. the files or log records in it) as one JSON value.</summary>
    void WriteBatch(BatchTime time, Utf8JsonWriter writer, JsonSerializerOptions options);

    /// <summary>
    /// Seals the batch at <paramref name="time"/> again from <paramref name="descriptor"/> (<c>null</c> when the
    /// batch was not described) and moves the position past what it holds; returns the number of records.
    /// </summary>
    long RestoreBatch(BatchTime time, JsonElement? descriptor, JsonSerializerOptions options);

    /// <summary>Writes the input's position (e.g. the files already read) as one JSON value.</summary>
    void WritePosition(Utf8JsonWriter writer, JsonSerializerOptions options);

    /// <summary>Reads and checks what <see cref="WritePosition"/> wrote, changing nothing; returns the step that loads it.</summary>
    Action ReadPosition(JsonElement position, JsonSerializerOptions options);

    /// <summary>Batches at or before <paramref name="time"/> will never be replayed: data kept only for them can go.</summary>
    void TrimThrough(BatchTime time)
    {
    }
}

/// <summary>An input that becomes replayable when its received blocks go through a write-ahead log (receivers).</summary>
internal interface IWriteAheadLoggedInput : ICheckpointedInput
{
    /// <summary>Routes the input's received blocks through <paramref name="log"/>; called before the context starts.</summary>
    void EnableWriteAheadLog(WriteAheadLog log, JsonSerializerOptions options, Action<CheckpointException> fail);

    /// <summary>After recovery: buffers again the logged blocks that no batch holds; returns the number of records.</summary>
    int RequeueUnassigned();
}
