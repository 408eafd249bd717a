namespace Pipelines.Tests.Windows;

public sealed class WindowValidationTests : IDisposable
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan TwoSeconds = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan NotAMultiple = TimeSpan.FromMilliseconds(1500);

    private readonly StreamingContext _context = new(TimeSpan.FromSeconds(1));

    private DStream<int> Numbers => _context.QueueStream<int>([[1]]);

    private DStream<(string Key, int Value)> Pairs => _context.QueueStream<(string, int)>([[("a", 1)]]);

    public static TheoryData<string> Operators =>
    [
        "Window", "CountByWindow", "ReduceByWindow", "ReduceByWindow with inverse", "CountByValueAndWindow",
        "ReduceByKeyAndWindow", "ReduceByKeyAndWindow with inverse", "GroupByKeyAndWindow",
    ];

    [Theory]
    [MemberData(nameof(Operators))]
    public void A_window_that_is_not_a_multiple_of_the_batch_interval_is_rejected_naming_both_durations(string operation)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Define(operation, NotAMultiple, OneSecond));

        Assert.Equal("windowDuration", error.ParamName);
        Assert.Contains("1500 ms", error.Message, StringComparison.Ordinal);
        Assert.Contains("1000 ms", error.Message, StringComparison.Ordinal);
        Assert.StartsWith(operation.Split(' ')[0], error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void A_slide_that_is_not_a_multiple_of_the_batch_interval_is_rejected_naming_both_durations(string operation)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Define(operation, TwoSeconds, NotAMultiple));

        Assert.Equal("slideDuration", error.ParamName);
        Assert.Contains("1500 ms", error.Message, StringComparison.Ordinal);
        Assert.Contains("1000 ms", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void A_zero_or_negative_duration_is_rejected(string operation)
    {
        Assert.Throws<ArgumentOutOfRangeException>("windowDuration", () => Define(operation, TimeSpan.Zero, OneSecond));
        Assert.Throws<ArgumentOutOfRangeException>("slideDuration", () => Define(operation, TwoSeconds, -OneSecond));
        Assert.Throws<ArgumentOutOfRangeException>("windowDuration", () => Define(operation, TimeSpan.FromTicks(TimeSpan.TicksPerSecond + 1), OneSecond));
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void Durations_that_are_multiples_of_the_batch_interval_are_accepted(string operation) =>
        Assert.NotNull(Define(operation, TimeSpan.FromSeconds(3), TwoSeconds));

    [Fact]
    public void A_window_over_a_windowed_stream_must_be_a_multiple_of_that_streams_slide()
    {
        var windowed = Numbers.Window(TwoSeconds, TwoSeconds);

        var error = Assert.Throws<ArgumentException>("windowDuration", () => windowed.Window(TimeSpan.FromSeconds(3)));

        Assert.Contains("3000 ms", error.Message, StringComparison.Ordinal);
        Assert.Contains("2000 ms", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Windowed_streams_slide_at_their_slide_duration()
    {
        Assert.Equal(TwoSeconds, Numbers.Window(TimeSpan.FromSeconds(4), TwoSeconds).SlideDuration);
        Assert.Equal(OneSecond, Numbers.Window(TimeSpan.FromSeconds(4)).SlideDuration);
        Assert.Equal(TwoSeconds, Pairs.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(4), TwoSeconds).SlideDuration);
        Assert.Equal(OneSecond, Pairs.GroupByKeyAndWindow(TimeSpan.FromSeconds(4)).SlideDuration);
    }

    [Fact]
    public void Null_functions_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => Numbers.ReduceByWindow(null!, TwoSeconds, OneSecond));
        Assert.Throws<ArgumentNullException>(() => Numbers.ReduceByWindow((a, b) => a + b, null!, TwoSeconds, OneSecond));
        Assert.Throws<ArgumentNullException>(() => Pairs.ReduceByKeyAndWindow(null!, TwoSeconds, OneSecond));
        Assert.Throws<ArgumentNullException>(() => Pairs.ReduceByKeyAndWindow((a, b) => a + b, null!, TwoSeconds));
        Assert.Throws<ArgumentNullException>(() => ((DStream<string>)null!).CountByValueAndWindow(TwoSeconds, OneSecond));
    }

    [Fact]
    public void Windows_cannot_be_added_after_the_context_started()
    {
        var numbers = Numbers;
        numbers.ForEachBatch((_, _) => { });
        _context.Start();

        Assert.Throws<InvalidOperationException>(() => numbers.Window(TwoSeconds));
    }

    public void Dispose() => _context.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(30));

    private object Define(string operation, TimeSpan window, TimeSpan slide) => operation switch
    {
        "Window" => Numbers.Window(window, slide),
        "CountByWindow" => Numbers.CountByWindow(window, slide),
        "ReduceByWindow" => Numbers.ReduceByWindow((a, b) => a + b, window, slide),
        "ReduceByWindow with inverse" => Numbers.ReduceByWindow((a, b) => a + b, (a, b) => a - b, window, slide),
        "CountByValueAndWindow" => Numbers.CountByValueAndWindow(window, slide),
        "ReduceByKeyAndWindow" => Pairs.ReduceByKeyAndWindow((a, b) => a + b, window, slide),
        "ReduceByKeyAndWindow with inverse" => Pairs.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, window, slide),
        "GroupByKeyAndWindow" => Pairs.GroupByKeyAndWindow(window, slide),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
    };
}
