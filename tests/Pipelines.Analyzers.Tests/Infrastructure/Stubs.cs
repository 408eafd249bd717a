using System.Reflection;

namespace Pipelines.Analyzers.Tests.Infrastructure;

/// <summary>
/// Stand-ins, compiled with every test source, for runtime API that other issues add in parallel (windows and
/// state, checkpoints, the pipeline attribute). Each is included only while the runtime assembly lacks the real
/// member, and follows its names and shapes, so the same tests run before and after it lands. The analyzers
/// match operators by name in namespace <c>Pipelines</c> and behave the same with either.
/// </summary>
internal static class Stubs
{
    private static readonly Assembly Runtime = typeof(Pipelines.DStream).Assembly;

    public static readonly string Source = Compose();

    private static string Compose()
    {
        var parts = new List<string>();
        if (Runtime.GetType("Pipelines.StreamingPipelineAttribute") is null)
        {
            parts.Add(PipelineAttribute);
        }

        if (!Declares(typeof(DStream<>), "Window"))
        {
            parts.Add(Windows);
        }

        if (!Declares(typeof(PairDStreamExtensions), "ReduceByKeyAndWindow"))
        {
            parts.Add(PairWindows);
        }

        if (!Declares(typeof(PairDStreamExtensions), "UpdateStateByKey"))
        {
            parts.Add(State);
        }

        if (!Declares(typeof(StreamingContext), "Checkpoint"))
        {
            parts.Add(Checkpoint);
        }

        if (!Declares(typeof(DStream<>), "Checkpoint"))
        {
            parts.Add(StreamCheckpoint);
        }

        return $$"""
            using System;
            using System.Collections.Generic;

            namespace Pipelines
            {
            {{string.Join(Environment.NewLine, parts)}}
            }
            """;
    }

    private static bool Declares(Type type, string method) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).Any(m => m.Name == method);

    private const string PipelineAttribute = """
            [AttributeUsage(AttributeTargets.Class, Inherited = false)]
            public sealed class StreamingPipelineAttribute : Attribute { }
        """;

    private const string Windows = """
            public static class WindowStubs
            {
                public static DStream<T> Window<T>(this DStream<T> stream, TimeSpan windowDuration) => stream;

                public static DStream<T> Window<T>(this DStream<T> stream, TimeSpan windowDuration, TimeSpan slideDuration) => stream;

                public static DStream<long> CountByWindow<T>(this DStream<T> stream, TimeSpan windowDuration, TimeSpan slideDuration) => stream.Count();

                public static DStream<T> ReduceByWindow<T>(this DStream<T> stream, Func<T, T, T> reducer, TimeSpan windowDuration, TimeSpan slideDuration) => stream;

                public static DStream<T> ReduceByWindow<T>(
                    this DStream<T> stream, Func<T, T, T> reducer, Func<T, T, T> inverseReducer, TimeSpan windowDuration, TimeSpan slideDuration) => stream;
            }
        """;

    private const string PairWindows = """
            public static class PairWindowStubs
            {
                public static DStream<(T Value, long Count)> CountByValueAndWindow<T>(this DStream<T> stream, TimeSpan windowDuration, TimeSpan slideDuration)
                    where T : notnull => stream.CountByValue();

                public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TKey, TValue>(
                    this DStream<(TKey Key, TValue Value)> stream, Func<TValue, TValue, TValue> reducer, TimeSpan windowDuration)
                    where TKey : notnull => stream;

                public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TKey, TValue>(
                    this DStream<(TKey Key, TValue Value)> stream, Func<TValue, TValue, TValue> reducer, TimeSpan windowDuration, TimeSpan slideDuration)
                    where TKey : notnull => stream;

                public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TKey, TValue>(
                    this DStream<(TKey Key, TValue Value)> stream, Func<TValue, TValue, TValue> reducer, Func<TValue, TValue, TValue> inverseReducer,
                    TimeSpan windowDuration, TimeSpan? slideDuration = null, Func<(TKey Key, TValue Value), bool>? filter = null)
                    where TKey : notnull => stream;

                public static DStream<(TKey Key, IReadOnlyList<TValue> Values)> GroupByKeyAndWindow<TKey, TValue>(
                    this DStream<(TKey Key, TValue Value)> stream, TimeSpan windowDuration)
                    where TKey : notnull => stream.GroupByKey();

                public static DStream<(TKey Key, IReadOnlyList<TValue> Values)> GroupByKeyAndWindow<TKey, TValue>(
                    this DStream<(TKey Key, TValue Value)> stream, TimeSpan windowDuration, TimeSpan slideDuration)
                    where TKey : notnull => stream.GroupByKey();
            }
        """;

    private const string State = """
            public static class StateStubs
            {
                public static DStream<(TKey Key, TState State)> UpdateStateByKey<TKey, TValue, TState>(
                    this DStream<(TKey Key, TValue Value)> stream, Func<IReadOnlyList<TValue>, Optional<TState>, Optional<TState>> update)
                    where TKey : notnull => throw new NotSupportedException("stand-in");
            }
        """;

    private const string StreamCheckpoint = """
            public static class StreamCheckpointStubs
            {
                public static DStream<T> Checkpoint<T>(this DStream<T> stream, TimeSpan interval) => stream;
            }
        """;

    private const string Checkpoint = """
            public static class CheckpointStubs
            {
                public static void Checkpoint(this StreamingContext context, string directory) { }
            }
        """;
}
