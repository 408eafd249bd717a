namespace Pipelines.Tests.State;

public sealed class StateValidationTests : IDisposable
{
    private readonly StreamingContext _context = new(TimeSpan.FromSeconds(1));

    private DStream<(string Key, int Value)> Pairs => _context.QueueStream<(string, int)>([[("a", 1)]]);

    private static StateSpec<string, int, int, int> Spec => StateSpec.Function((string key, Optional<int> value, State<int> state) => 0);

    [Fact]
    public void UpdateStateByKey_rejects_null_functions_and_bad_arguments()
    {
        Assert.Throws<ArgumentNullException>(() => Pairs.UpdateStateByKey((Func<IReadOnlyList<int>, Optional<int>, Optional<int>>)null!));
        Assert.Throws<ArgumentNullException>(() => Pairs.UpdateStateByKey((Func<BatchTime, string, IReadOnlyList<int>, Optional<int>, Optional<int>>)null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pairs.UpdateStateByKey((IReadOnlyList<int> v, Optional<int> s) => s, numPartitions: 0));
        Assert.Throws<ArgumentNullException>(() => Pairs.UpdateStateByKey((IReadOnlyList<int> v, Optional<int> s) => s, (IEnumerable<(string, int)>)null!));
    }

    [Fact]
    public void An_initial_state_with_a_key_twice_is_rejected_naming_the_key()
    {
        var error = Assert.Throws<ArgumentException>("initialState", () => Pairs.UpdateStateByKey((IReadOnlyList<int> v, Optional<int> s) => s, [("a", 1), ("a", 2)]));
        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>("initialState", () => Spec.InitialState([("b", 1), ("b", 1)]));
    }

    [Fact]
    public void StateSpec_rejects_bad_settings()
    {
        Assert.Throws<ArgumentNullException>(() => StateSpec.Function((Func<string, Optional<int>, State<int>, int>)null!));
        Assert.Throws<ArgumentNullException>(() => StateSpec.Function((Func<BatchTime, string, Optional<int>, State<int>, Optional<int>>)null!));
        Assert.Throws<ArgumentOutOfRangeException>("idleDuration", () => Spec.Timeout(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>("idleDuration", () => Spec.Timeout(TimeSpan.FromTicks(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Spec.NumPartitions(0));
        Assert.Throws<ArgumentNullException>(() => Spec.InitialState(null!));
        Assert.Throws<ArgumentNullException>(() => Pairs.MapWithState<string, int, int, int>(null!));
    }

    [Fact]
    public void StateSpec_settings_return_new_specs()
    {
        var spec = Spec;
        var withTimeout = spec.Timeout(TimeSpan.FromSeconds(5));

        Assert.NotSame(spec, withTimeout);
        Assert.Null(spec.TimeoutDuration);
        Assert.Equal(TimeSpan.FromSeconds(5), withTimeout.TimeoutDuration);
        Assert.Equal(TimeSpan.FromSeconds(5), withTimeout.NumPartitions(2).TimeoutDuration);
    }

    [Fact]
    public void Stateful_operators_cannot_be_added_after_the_context_started()
    {
        var pairs = Pairs;
        var mapped = pairs.MapWithState(Spec);
        mapped.ForEachBatch((_, _) => { });
        _context.Start();

        Assert.Throws<InvalidOperationException>(() => pairs.UpdateStateByKey((IReadOnlyList<int> v, Optional<int> s) => s));
        Assert.Throws<InvalidOperationException>(() => pairs.MapWithState(Spec));
        Assert.Throws<InvalidOperationException>(() => mapped.StateSnapshots());
    }

    public void Dispose() => _context.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(30));
}
