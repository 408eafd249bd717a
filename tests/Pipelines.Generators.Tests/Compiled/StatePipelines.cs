namespace Pipelines.Generators.Tests.Compiled;

/// <summary>
/// Keyed state after a fused stage, which the generator fuses into the state (<c>CompiledState.FuseIntoState</c>):
/// a per-batch ReduceByKey, a narrow chain, a CountByValue, and MapWithState with a timeout.
/// </summary>
[StreamingPipeline]
public static partial class StatePipelines
{
    public static DStream<(int Key, long State)> DefineReduceThenState(DStream<int> numbers) =>
        numbers.Map(n => (n % 11, n))
               .ReduceByKey((a, b) => a + b)
               .UpdateStateByKey((IReadOnlyList<int> sums, Optional<long> total) =>
                   total.GetValueOrDefault(0) + sums.Sum() > 5000 ? Optional<long>.None : new Optional<long>(total.GetValueOrDefault(0) + sums.Sum()));

    public static DStream<(int Key, int State)> DefineNarrowThenStateInPartitions(DStream<int> numbers) =>
        numbers.Filter(n => n % 5 != 0)
               .Map(n => (n % 13, 1))
               .UpdateStateByKey((IReadOnlyList<int> ones, Optional<int> count) => new Optional<int>(count.GetValueOrDefault(0) + ones.Count), 3);

    public static DStream<(int Key, long State)> DefineCountThenState(DStream<int> numbers) =>
        numbers.Map(n => n % 9)
               .CountByValue()
               .UpdateStateByKey((IReadOnlyList<long> counts, Optional<long> total) => new Optional<long>(total.GetValueOrDefault(0) + counts.Sum()));

    public static DStream<string> DefineMapWithStateTimeout(DStream<int> numbers) =>
        numbers.Map(n => (n % 17, n))
               .MapWithState(StateSpec.Function((BatchTime time, int key, Optional<int> value, State<int> state) =>
               {
                   if (state.IsTimingOut)
                   {
                       return new Optional<string>(key + " timed out at " + state.Get());
                   }

                   var sum = state.GetOption().GetValueOrDefault(0) + value.GetValueOrDefault(0);
                   state.Update(sum);
                   return sum % 3 == 0 ? new Optional<string>(key + "=" + sum) : Optional<string>.None;
               }).Timeout(TimeSpan.FromSeconds(2)));
}
