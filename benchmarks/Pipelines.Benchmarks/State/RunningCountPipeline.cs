namespace Pipelines.Benchmarks.State;

/// <summary>W5 as Pipelines definitions: a running count per key, the whole state output after every batch.</summary>
[StreamingPipeline]
public static partial class RunningCountPipeline
{
    /// <summary>With <c>UpdateStateByKey</c> (emits every key's state at every batch).</summary>
    public static DStream<(int Key, long State)> DefineUpdateStateByKey(DStream<(int Key, int Value)> pairs) =>
        pairs.UpdateStateByKey((IReadOnlyList<int> values, Optional<long> total) => Optional.Of(total.GetValueOrDefault(0) + values.Count));
}

/// <summary>
/// W5 with <c>MapWithState</c>, interpreted only: its whole-state output is <c>StateSnapshots()</c>, which is not an
/// operator the generator compiles (PIPE102), so this definition lives outside the <c>[StreamingPipeline]</c> class.
/// </summary>
public static class RunningCountSnapshotPipeline
{
    /// <summary>With <c>MapWithState</c>; its state snapshots are every key's state at every batch.</summary>
    public static DStream<(int Key, long State)> DefineMapWithState(DStream<(int Key, int Value)> pairs) =>
        pairs.MapWithState(StateSpec.Function((int key, Optional<int> one, State<long> state) =>
             {
                 var total = state.GetOption().GetValueOrDefault(0) + one.GetValueOrDefault(0);
                 state.Update(total);
                 return total;
             }))
             .StateSnapshots();
}
