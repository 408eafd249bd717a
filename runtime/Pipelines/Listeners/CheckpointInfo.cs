namespace Pipelines;

/// <summary>
/// A checkpoint the context wrote (see <see cref="IStreamingListener.OnCheckpointWritten"/>): how long writing it
/// took and how big it is on disk.
/// </summary>
/// <param name="Time">The batch time the checkpoint records as completed.</param>
/// <param name="Duration">
/// Time spent writing it (serializing the state, flushing to disk, renaming into place, trimming the journal), as
/// measured by the context's <see cref="TimeProvider"/>.
/// </param>
/// <param name="Bytes">The size of the checkpoint file.</param>
/// <param name="Path">The checkpoint file.</param>
public sealed record CheckpointInfo(BatchTime Time, TimeSpan Duration, long Bytes, string Path);
