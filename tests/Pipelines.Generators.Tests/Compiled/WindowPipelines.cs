namespace Pipelines.Generators.Tests.Compiled;

/// <summary>Windowed and stateful definitions: the per-batch part is fused, the runtime does the rest.</summary>
[StreamingPipeline]
public static partial class WindowPipelines
{
    public static DStream<(string Key, int Value)> DefineWindowedWordCount(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
             .Map(word => (word, 1))
             .ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2));

    public static DStream<(int Key, int Value)> DefineIncremental(DStream<int> numbers) =>
        numbers.Map(n => (n % 5, 1))
               .ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), filter: p => p.Value != 0);

    public static DStream<int> DefineReduceByWindow(DStream<int> numbers) =>
        numbers.Filter(n => n > 0).ReduceByWindow((a, b) => a + b, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));

    public static DStream<int> DefineReduceByWindowInverse(DStream<int> numbers) =>
        numbers.Map(n => n * 2).ReduceByWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));

    public static DStream<(int Value, long Count)> DefineCountByValueAndWindow(DStream<int> numbers) =>
        numbers.Map(n => n % 4).CountByValueAndWindow(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));

    public static DStream<long> DefineCountByWindow(DStream<int> numbers) =>
        numbers.Filter(n => n % 2 == 0).CountByWindow(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));

    public static DStream<(int Key, IReadOnlyList<int> Values)> DefineGroupByKeyAndWindow(DStream<int> numbers) =>
        numbers.Map(n => (n % 3, n)).GroupByKeyAndWindow(TimeSpan.FromSeconds(2));

    public static DStream<int> DefineWindow(DStream<int> numbers) =>
        numbers.Map(n => n + 100).Window(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));

    /// <summary>MapWithState: a running sum per key, emitted with each value.</summary>
    public static DStream<(int Key, int Sum)> DefineRunningSum(DStream<int> numbers) =>
        numbers.Map(n => (n % 3, n))
               .MapWithState(StateSpec.Function((int key, Optional<int> value, State<int> state) =>
               {
                   var sum = (state.Exists ? state.Get() : 0) + value.GetValueOrDefault(0);
                   state.Update(sum);
                   return (key, sum);
               }));

    /// <summary>A stateful session count: events per user so far.</summary>
    public static DStream<(string Key, int State)> DefineSessionCount(DStream<string> events) =>
        events.Filter(e => e.Length > 0)
              .Map(user => (user, 1))
              .UpdateStateByKey((IReadOnlyList<int> values, Optional<int> state) => new Optional<int>(state.GetValueOrDefault(0) + values.Count));
}
