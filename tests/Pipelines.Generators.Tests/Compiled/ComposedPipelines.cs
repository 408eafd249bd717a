namespace Pipelines.Generators.Tests.Compiled;

/// <summary>
/// Definitions written the way users write them, beyond one fused chain: operators after windowed and stateful ones,
/// Union, Transform/TransformWith, Glom, MapBatch, Repartition, more than two inputs, and DStream locals. The runtime
/// runs the windowed, stateful and whole-batch operators; everything around them is fused.
/// </summary>
[StreamingPipeline]
public static partial class ComposedPipelines
{
    public static DStream<string> DefineWindowThenNarrow(DStream<string> lines) =>
        lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
             .Map(word => (word, 1))
             .ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1))
             .Filter(p => p.Value > 1)
             .Map(p => p.Key + ":" + p.Value);

    public static DStream<(int Key, int State)> DefineStateThenFilter(DStream<int> numbers) =>
        numbers.Map(n => (n % 4, 1))
               .UpdateStateByKey((IReadOnlyList<int> values, Optional<int> state) => new Optional<int>(state.GetValueOrDefault(0) + values.Count))
               .Filter(p => p.State % 2 == 0);

    public static DStream<(int Key, int State)> DefineStateSnapshots(DStream<int> numbers) =>
        numbers.Map(n => (n % 3, n))
               .MapWithState(StateSpec.Function((int key, Optional<int> value, State<int> state) =>
               {
                   var sum = (state.Exists ? state.Get() : 0) + value.GetValueOrDefault(0);
                   state.Update(sum);
                   return sum;
               }))
               .StateSnapshots();

    public static DStream<int> DefineUnion(DStream<int> left, DStream<int> right) =>
        left.Map(x => x * 2).Union(right.Filter(x => x > 0)).Map(x => x + 1);

    public static DStream<int> DefineUnionOfThree(DStream<int> a, DStream<int> b, DStream<int> c) =>
        a.Union(b).Union(c.Map(x => -x)).Filter(x => x % 3 != 0);

    public static DStream<int> DefineTransform(DStream<int> numbers) =>
        numbers.Map(n => n + 1).Transform(batch => Largest(batch)).Map(n => n * 2);

    public static DStream<string> DefineTransformWith(DStream<int> numbers, DStream<string> words) =>
        numbers.Filter(n => n > 0).TransformWith(words.Map(w => w.Trim()), (l, r) => Pair(l, r)).Map(s => "[" + s + "]");

    public static DStream<int> DefineGlom(DStream<int> numbers) =>
        numbers.Filter(n => n % 2 != 0).Glom().Map(partition => partition.Length * 100 + partition.Sum() % 100);

    public static DStream<int> DefineMapBatch(DStream<int> numbers) =>
        numbers.Map(n => n * 3).MapBatch(items => items.Reverse()).Filter(n => n > 5);

    public static DStream<int> DefineRepartition(DStream<int> numbers)
    {
        const int Partitions = 3;
        return numbers.Map(n => n - 1).Repartition(Partitions).Map(n => n * n);
    }

    public static DStream<(int Key, ((int Left, int Right) Value, int Right) Value)> DefineThreeWayJoin(
        DStream<(int Key, int Value)> a, DStream<(int Key, int Value)> b, DStream<(int Key, int Value)> c) =>
        a.Join(b).Join(c.MapValues(v => v * 10));

    public static DStream<(string Word, int Count)> DefineWithLocals(DStream<string> lines)
    {
        var words = lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var pairs = words.Map(word => (word, 1));
        return pairs.ReduceByKey((a, b) => a + b).Filter(p => p.Value > 1);
    }

    public static DStream<int> DefineSharedLocal(DStream<int> numbers)
    {
        var evens = numbers.Filter(n => n % 2 == 0);
        return evens.Union(evens.Map(n => n * 10));
    }

    private static IEnumerable<int> Largest(Batch<int> batch)
    {
        var max = int.MinValue;
        foreach (var n in batch)
        {
            max = Math.Max(max, n);
        }

        return batch.Count == 0 ? [] : [max];
    }

    private static IEnumerable<string> Pair(Batch<int> left, Batch<string> right) =>
        [left.Count + "/" + right.Count + ":" + string.Join(",", left) + "|" + string.Join(",", right)];
}
