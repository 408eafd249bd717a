namespace Pipelines.Checkpointing;

/// <summary>Tells the listeners about each checkpoint written.</summary>
internal sealed partial class CheckpointCoordinator
{
    private void ReportWritten(BatchTime time, string path, long started)
    {
        var duration = _context.TimeProvider.GetElapsedTime(started);
        long bytes;
        try
        {
            bytes = new FileInfo(path).Length;
        }
        catch (IOException)
        {
            bytes = 0; // trimmed already (a retention of one, overtaken by the next write): nothing to measure
        }

        _context.Listeners.CheckpointWritten(new CheckpointInfo(time, duration, bytes, path));
    }
}
