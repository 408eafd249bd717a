namespace Pipelines.Analyzers.Tests.Infrastructure;

/// <summary>
/// Stand-ins, compiled with every test source, for runtime API that other issues are adding in parallel
/// (windows and state, checkpoints, the pipeline attribute). They follow Spark's and the issues' names and
/// shapes; the analyzers match operators by name in namespace <c>Pipelines</c>, so they behave the same with the
/// real API. Remove a stand-in here when its real counterpart lands in the runtime.
/// </summary>
internal static class Stubs
{
    public const string Source = """
        using System;
        using System.Collections.Generic;

        namespace Pipelines
        {
            [AttributeUsage(AttributeTargets.Class, Inherited = false)]
            public sealed class StreamingPipelineAttribute : Attribute { }

            public static class WindowStubs
            {
                public static DStream<T> Window<T>(this DStream<T> stream, TimeSpan windowLength, TimeSpan? slideInterval = null) => stream;

                public static DStream<long> CountByWindow<T>(this DStream<T> stream, TimeSpan windowLength, TimeSpan slideInterval) => stream.Count();

                public static DStream<T> ReduceByWindow<T>(this DStream<T> stream, Func<T, T, T> reduce, TimeSpan windowLength, TimeSpan slideInterval) => stream;

                public static DStream<T> ReduceByWindow<T>(this DStream<T> stream, Func<T, T, T> reduce, Func<T, T, T> inverseReduce, TimeSpan windowLength, TimeSpan slideInterval) => stream;

                public static DStream<(T Value, long Count)> CountByValueAndWindow<T>(this DStream<T> stream, TimeSpan windowLength, TimeSpan slideInterval)
                    where T : notnull => stream.CountByValue();

                public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TKey, TValue>(
                    this DStream<(TKey Key, TValue Value)> stream, Func<TValue, TValue, TValue> reduce, TimeSpan windowLength, TimeSpan? slideInterval = null)
                    where TKey : notnull => stream;

                public static DStream<(TKey Key, TValue Value)> ReduceByKeyAndWindow<TKey, TValue>(
                    this DStream<(TKey Key, TValue Value)> stream, Func<TValue, TValue, TValue> reduce, Func<TValue, TValue, TValue> inverseReduce,
                    TimeSpan windowLength, TimeSpan? slideInterval = null, Func<(TKey Key, TValue Value), bool>? filter = null)
                    where TKey : notnull => stream;

                public static DStream<(TKey Key, IReadOnlyList<TValue> Values)> GroupByKeyAndWindow<TKey, TValue>(
                    this DStream<(TKey Key, TValue Value)> stream, TimeSpan windowLength, TimeSpan? slideInterval = null)
                    where TKey : notnull => stream.GroupByKey();
            }

            public static class StateStubs
            {
                public static DStream<(TKey Key, TState State)> UpdateStateByKey<TKey, TValue, TState>(
                    this DStream<(TKey Key, TValue Value)> stream, Func<IReadOnlyList<TValue>, Optional<TState>, Optional<TState>> update)
                    where TKey : notnull => throw new NotSupportedException("stand-in");
            }

            public static class CheckpointStubs
            {
                public static void Checkpoint(this StreamingContext context, string directory) { }
            }
        }
        """;
}
