using Verifier = Pipelines.Analyzers.Tests.Infrastructure.Verify<Pipelines.Analyzers.Lifecycle.MissingCheckpointAnalyzer>;

namespace Pipelines.Analyzers.Tests.Lifecycle;

public class MissingCheckpointTests
{
    [Fact]
    public Task Stateful_operators_without_a_checkpoint_directory_are_reported() =>
        Verifier.AnalyzerAsync("""
            using System;
            using Pipelines;

            public static class Job
            {
                public static void Run()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { StopTimeout = TimeSpan.FromSeconds(5) });
                    var pairs = ssc.QueueStream(new[] { new[] { ("a", 1) } });
                    pairs.{|#0:UpdateStateByKey|}<string, int, int>((values, state) => state.GetValueOrDefault(0) + values.Count).Print();
                    pairs.{|PIPE011:ReduceByKeyAndWindow|}((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), p => p.Value != 0).Print();
                    pairs.Map(p => p.Item1).{|PIPE011:CountByWindow|}(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1)).Print();
                    pairs.Map(p => p.Item2).{|PIPE011:ReduceByWindow|}((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1)).Print();
                    pairs.Map(p => p.Item1).{|PIPE011:CountByValueAndWindow|}(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1)).Print();
                    pairs.{|PIPE011:MapWithState|}(StateSpec.Function((string key, Optional<int> value, State<int> state) =>
                    {
                        state.Update(state.Exists ? state.Get() + 1 : 1);
                        return key;
                    })).Print();
                    ssc.Start();
                }
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.StatefulWithoutCheckpoint).WithLocation(0).WithArguments("UpdateStateByKey"));

    [Fact]
    public Task A_checkpoint_set_in_the_method_or_state_that_is_not_kept_is_not_reported() =>
        Verifier.AnalyzerAsync("""
            using System;
            using Pipelines;

            public static class Job
            {
                public static void CheckpointCall()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    ssc.Checkpoint("/tmp/checkpoints");
                    var pairs = ssc.QueueStream(new[] { new[] { ("a", 1) } });
                    pairs.UpdateStateByKey<string, int, int>((values, state) => values.Count).Print();
                }

                public static void Recovered()
                {
                    var ssc = StreamingContext.GetOrCreate("/tmp/checkpoints", () =>
                    {
                        var created = new StreamingContext(TimeSpan.FromSeconds(1));
                        created.QueueStream(new[] { new[] { ("a", 1) } }).UpdateStateByKey<string, int, int>((values, state) => values.Count).Print();
                        return created;
                    });
                }

                public static void OptionsInitializer()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { CheckpointDirectory = "/tmp/checkpoints" });
                    ssc.QueueStream(new[] { new[] { ("a", 1) } }).UpdateStateByKey<string, int, int>((values, state) => values.Count).Print();
                }

                public static void OptionsAssigned()
                {
                    var options = new StreamingOptions();
                    options.CheckpointDirectory = "/tmp/checkpoints";
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1), options);
                    ssc.QueueStream(new[] { new[] { ("a", 1) } }).UpdateStateByKey<string, int, int>((values, state) => values.Count).Print();
                }

                public static void OptionsFromElsewhere(StreamingOptions options)
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1), options);
                    ssc.QueueStream(new[] { new[] { ("a", 1) } }).UpdateStateByKey<string, int, int>((values, state) => values.Count).Print();
                }

                public static DStream<(string Key, int State)> Define(DStream<(string Key, int Value)> pairs) =>
                    pairs.UpdateStateByKey<string, int, int>((values, state) => values.Count);

                public static void NoState()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    var pairs = ssc.QueueStream(new[] { new[] { ("a", 1) } });
                    pairs.ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(3)).Print();
                    pairs.Window(TimeSpan.FromSeconds(3)).ReduceByKey((a, b) => a + b).Print();
                }
            }
            """);
}
