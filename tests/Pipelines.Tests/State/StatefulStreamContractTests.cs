using Pipelines.Stateful;
using Pipelines.Testing;
using Pipelines.Windows;
using static Pipelines.Tests.Windows.Multisets;

namespace Pipelines.Tests.State;

/// <summary>What the checkpoint writer relies on: stable keys, plain exported data, and import that continues exactly.</summary>
public sealed class StatefulStreamContractTests
{
    private static readonly (string, int)[][] Input = [[("a", 1), ("b", 2)], [("a", 3)], [("c", 4)], [("a", 5), ("b", 6)], [("c", 7)], []];

    [Fact]
    public void Stateful_streams_are_found_in_creation_order_with_stable_keys()
    {
        using var run = StreamingTest.Start(Input, Define);

        var found = StatefulStreams.Find(run.Context);

        Assert.Equal(["1:UpdateStateByKey", "2:ReduceByKeyAndWindow", "3:MapWithState"], found.Select(s => s.StateKey));
        Assert.All(found, s => Assert.Null(s.StateTime));
        run.Step();
        Assert.All(found, s => Assert.Equal(new BatchTime(1000), s.StateTime));
    }

    [Fact]
    public void Exported_state_imported_into_a_restarted_context_continues_exactly()
    {
        const int split = 3;
        IReadOnlyList<IReadOnlyList<string>> uninterrupted;
        var exported = new Dictionary<string, object>();
        using (var first = StreamingTest.Start(Input, Define))
        {
            var outputs = new List<IReadOnlyList<string>>();
            for (var i = 0; i < Input.Length; i++)
            {
                outputs.Add(first.Step().Records);
                if (i == split - 1)
                {
                    foreach (var stream in StatefulStreams.Find(first.Context))
                    {
                        stream.Accept(new Exporter(exported, stream.StateKey));
                    }
                }
            }

            uninterrupted = outputs;
        }

        var restartClock = new ManualClock(DateTimeOffset.UnixEpoch + Seconds(split));
        using var second = StreamingTest.Start(Input.Skip(split), Define, options: new StreamingOptions { TimeProvider = restartClock });
        foreach (var stream in StatefulStreams.Find(second.Context))
        {
            stream.Accept(new Importer(exported[stream.StateKey]));
        }

        var resumed = Enumerable.Range(0, Input.Length - split).Select(_ => second.Step().Records).ToArray();

        Assert.Equal(uninterrupted.Skip(split), resumed);
    }

    [Fact]
    public void Exported_state_is_plain_data()
    {
        using var run = StreamingTest.Start(Input, Define);
        run.Step();
        run.Step();
        var exported = new Dictionary<string, object>();
        foreach (var stream in StatefulStreams.Find(run.Context))
        {
            stream.Accept(new Exporter(exported, stream.StateKey));
        }

        var keyed = Assert.IsType<KeyedStateSnapshot<string, int>>(exported["1:UpdateStateByKey"]);
        Assert.Equal(new BatchTime(2000), keyed.Time);
        Assert.Equal([new KeyedStateEntry<string, int>("a", 4, new BatchTime(2000)), new KeyedStateEntry<string, int>("b", 2, new BatchTime(2000))], keyed.Entries.OrderBy(e => e.Key, StringComparer.Ordinal));

        var window = Assert.IsType<ReducedWindowSnapshot<string, int>>(exported["2:ReduceByKeyAndWindow"]);
        Assert.Equal(new BatchTime(2000), window.Time);
        Assert.Equal([new KeyValuePair<string, int>("a", 4), new KeyValuePair<string, int>("b", 2)], window.Result.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal([new BatchTime(1000), new BatchTime(2000)], window.KeptBatches.Select(b => b.Time));

        var mapped = Assert.IsType<KeyedStateSnapshot<string, int>>(exported["3:MapWithState"]);
        Assert.Equal([new KeyedStateEntry<string, int>("a", 2, new BatchTime(2000)), new KeyedStateEntry<string, int>("b", 1, new BatchTime(1000))], mapped.Entries.OrderBy(e => e.Key, StringComparer.Ordinal));

        Assert.All(
            new object[] { keyed, window, mapped },
            data => Assert.DoesNotContain(data.GetType().GetProperties(), p => typeof(Delegate).IsAssignableFrom(p.PropertyType)));
    }

    [Fact]
    public void A_state_exported_before_the_first_batch_is_the_initial_state()
    {
        using var run = StreamingTest.Start(Input, s => s.UpdateStateByKey<string, int, int>((v, st) => v.Sum() + st.GetValueOrDefault(0), [("z", 100)]));
        var stream = (IKeyedStateStream<string, int>)StatefulStreams.Find(run.Context).Single();

        var snapshot = stream.ExportState();

        Assert.Null(snapshot.Time);
        Assert.Equal([("z", 100)], snapshot.Entries.Select(e => (e.Key, e.State)));
        stream.ImportState(snapshot with { Entries = [new KeyedStateEntry<string, int>("z", 1, default)] });
        Assert.Equal([("a", 1), ("b", 2), ("z", 1)], Sorted(run.Step().Records));
    }

    /// <summary>Three stateful streams whose outputs are joined into one line per key, so one output shows them all.</summary>
    private static DStream<string> Define(DStream<(string, int)> input)
    {
        var totals = input.UpdateStateByKey<string, int, int>((values, state) => values.Sum() + state.GetValueOrDefault(0));
        var windowed = input.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, Seconds(3), filter: p => p.Value != 0);
        var counts = input.MapWithState(StateSpec.Function((string key, Optional<int> value, State<int> state) =>
        {
            if (!value.HasValue)
            {
                return (key, -1);
            }

            state.Update(state.GetOption().GetValueOrDefault(0) + 1);
            return (key, state.Get());
        }).Timeout(Seconds(2)));

        return totals.Map(p => $"total {p.Key}={p.State}")
            .Union(windowed.Map(p => $"window {p.Key}={p.Value}"))
            .Union(counts.Map(p => $"seen {p.key}={p.Item2}"))
            .Transform(batch => batch.Order(StringComparer.Ordinal));
    }

    private sealed class Exporter(Dictionary<string, object> into, string key) : IStatefulStreamVisitor
    {
        public void VisitKeyedState<TKey, TState>(IKeyedStateStream<TKey, TState> stream)
            where TKey : notnull => into[key] = stream.ExportState();

        public void VisitReducedWindow<TKey, TValue>(IReducedWindowStream<TKey, TValue> stream)
            where TKey : notnull => into[key] = stream.ExportWindow();
    }

    private sealed class Importer(object data) : IStatefulStreamVisitor
    {
        public void VisitKeyedState<TKey, TState>(IKeyedStateStream<TKey, TState> stream)
            where TKey : notnull => stream.ImportState((KeyedStateSnapshot<TKey, TState>)data);

        public void VisitReducedWindow<TKey, TValue>(IReducedWindowStream<TKey, TValue> stream)
            where TKey : notnull => stream.ImportWindow((ReducedWindowSnapshot<TKey, TValue>)data);
    }
}
