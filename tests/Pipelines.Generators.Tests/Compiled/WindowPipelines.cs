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

    public static DStream<(int Key, int Value)> DefineNamedWindowArguments(DStream<int> numbers) =>
        numbers.Map(n => (n % 4, n))
               .ReduceByKeyAndWindow(reducer: (a, b) => a + b, windowDuration: TimeSpan.FromSeconds(3), slideDuration: TimeSpan.FromSeconds(1));

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

    /// <summary>W7's shape: split words (empty entries kept) interned as spans straight into an incremental window's slice.</summary>
    public static DStream<(string Key, int Value)> DefineWordWindowIncremental(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' '))
             .Map(word => (word, 1))
             .ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(3), filter: pair => pair.Value != 0);

    /// <summary>W3's shape: the window reads the pairs parameter itself (the fused stage is only the per-batch reduce).</summary>
    public static DStream<(int Key, int Value)> DefinePairsIncremental(DStream<(int Key, int Value)> pairs) =>
        pairs.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(3), filter: pair => pair.Value != 0);

    /// <summary>An incremental window without a filter (neutral values stay), sliding by two batches, then a filter and a map.</summary>
    public static DStream<string> DefineIncrementalSlideThenFilter(DStream<int> numbers) =>
        numbers.Filter(n => n % 7 != 0)
               .Map(n => (n % 4, n))
               .ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2))
               .Filter(p => p.Value > 3)
               .Map(p => p.Key + ":" + p.Value);

    /// <summary>A recomputed window with partitions, sliding by two batches, over a block-lambda reducer.</summary>
    public static DStream<(int Key, int Value)> DefineRecomputePartitioned(DStream<(int Key, int Value)> pairs) =>
        pairs.MapValues(v => v * 3)
             .ReduceByKeyAndWindow((a, b) =>
             {
                 var sum = a + b;
                 return sum;
             }, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2), 2);

    /// <summary>The incremental window with partitions and a named filter argument.</summary>
    public static DStream<(int Key, int Value)> DefineIncrementalPartitioned(DStream<(int Key, int Value)> pairs) =>
        pairs.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), 3, filter: pair => pair.Value != 0);

    /// <summary>CountByValueAndWindow of split words (looked up as spans).</summary>
    public static DStream<(string Value, long Count)> DefineCountWordsByValueAndWindow(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).CountByValueAndWindow(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));

    /// <summary>A window whose per-batch part throws on some records: the failing window must fail in both paths, and later windows agree.</summary>
    public static DStream<(int Key, int Value)> DefineThrowingIncremental(DStream<int> numbers) =>
        numbers.Map(n => (n % 3, 120 / (n - 13)))
               .ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(3), filter: pair => pair.Value != 0);

    /// <summary>The recomputed form with the same throwing per-batch part.</summary>
    public static DStream<(int Key, int Value)> DefineThrowingRecompute(DStream<int> numbers) =>
        numbers.Map(n => (n % 3, 120 / (n - 13)))
               .ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));

    /// <summary>ReduceByWindow and CountByWindow with a throwing per-batch part.</summary>
    public static DStream<long> DefineThrowingCountByWindow(DStream<int> numbers) =>
        numbers.Filter(n => 120 / (n - 13) != 1000).CountByWindow(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));

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
