namespace Pipelines.Stateful;

/// <summary>
/// The input of a keyed state stream computed by a compiled stage that the state stream runs itself
/// (<see cref="Compilation.CompiledState.FuseIntoState"/>): the stage's (key, value) records go straight into the
/// state's per-batch input instead of a batch of their own.
/// </summary>
internal interface IFusedStateInput<TKey, TValue>
{
    /// <summary>The stream the stage reads; the state stream depends on it instead of on the fused stream.</summary>
    DStream Source { get; }

    /// <summary>
    /// Runs the stage on the source's batch at <paramref name="time"/>, adding its records to
    /// <paramref name="output"/>; false (nothing added) when the source has no batch at that time.
    /// </summary>
    bool ProcessInto(BatchTime time, BatchBuilder<(TKey Key, TValue Value)> output);
}
