namespace Pipelines.Generators.Tests.Compiled;

/// <summary>
/// Spark parity: Spark's BasicOperationsSuite definitions whose inputs may have no batch at a time (Union, Transform,
/// TransformWith, UpdateStateByKey), and the numPartitions overloads of the window and state operators. The runtime
/// runs those operators (called with the arguments as written); the narrow parts around them are fused.
/// </summary>
[StreamingPipeline]
public static partial class ParityPipelines
{
    public static DStream<int> DefineUnionWithMapped(DStream<int> numbers) => numbers.Union(numbers.Map(x => x + 4));

    public static DStream<string> DefineTransformToString(DStream<int> numbers) => numbers.Transform(batch => ToStrings(batch));

    public static DStream<string> DefineTransformWithUnion(DStream<string> left, DStream<string> right) =>
        left.TransformWith(right, (l, r) => Concat(l, r));

    public static DStream<(string Key, int Counter)> DefineStateLifecycle(DStream<string> words) =>
        words.Map(word => (word, 1))
             .UpdateStateByKey((IReadOnlyList<int> values, Optional<(int Counter, int Expire)> state) => Lifecycle(values, state))
             .MapValues(state => state.Counter);

    public static DStream<(string Key, int Value)> DefineWindowInPartitions(DStream<string> words) =>
        words.Map(word => (word, 1)).ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 3);

    public static DStream<(string Key, int Value)> DefineInverseWindowInPartitions(DStream<string> words) =>
        words.Map(word => (word, 1))
             .ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), numPartitions: 2, filter: p => p.Value != 0);

    public static DStream<string> DefineGroupWindowInPartitions(DStream<string> words) =>
        words.Map(word => (word, word.Length))
             .GroupByKeyAndWindow(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), numPartitions: 4)
             .Map(group => group.Key + ":" + group.Values.Count);

    public static DStream<(string Value, long Count)> DefineCountByValueWindowInPartitions(DStream<string> words) =>
        words.Filter(word => word.Length > 0).CountByValueAndWindow(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), 2);

    public static DStream<(string Key, int State)> DefineStateInPartitions(DStream<string> words) =>
        words.Map(word => (word, 1))
             .UpdateStateByKey((IReadOnlyList<int> values, Optional<int> state) => new Optional<int>(state.GetValueOrDefault(0) + values.Count), 2);

    public static DStream<(string Key, long State)> DefineTimedStateInPartitions(DStream<string> words) =>
        words.Map(word => (word, 1))
             .UpdateStateByKey(
                 (BatchTime time, string key, IReadOnlyList<int> values, Optional<long> state) => new Optional<long>(values.Count > 0 ? time.Milliseconds + state.GetValueOrDefault(0) : state.GetValueOrDefault(0)),
                 numPartitions: 3);

    public static DStream<int> DefineMapWithStateInPartitions(DStream<string> words) =>
        words.Map(word => (word, 1))
             .MapWithState(StateSpec.Function((string key, Optional<int> one, State<int> state) =>
             {
                 var sum = (state.Exists ? state.Get() : 0) + one.GetValueOrDefault(0);
                 state.Update(sum);
                 return sum;
             }).NumPartitions(2))
             .Map(sum => sum * 10);

    private static IEnumerable<string> ToStrings(Batch<int> batch)
    {
        foreach (var n in batch)
        {
            yield return n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static IEnumerable<string> Concat(Batch<string> left, Batch<string> right) => left.Concat(right);

    private static Optional<(int Counter, int Expire)> Lifecycle(IReadOnlyList<int> values, Optional<(int Counter, int Expire)> state)
    {
        var (counter, expire) = state.GetValueOrDefault((0, 0));
        var sum = values.Sum();
        (counter, expire) = sum == 0 ? (counter, expire + 1) : (counter + sum, 0);
        return expire == 2 ? Optional<(int, int)>.None : new Optional<(int, int)>((counter, expire));
    }
}
