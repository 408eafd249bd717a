// This file is compiled into the runtime AND linked into Pipelines.Generators, so the operators the generator
// compiles and the runtime's operator names cannot drift apart. Keep it netstandard2.0-compatible C#.
namespace Pipelines.Compilation
{
    /// <summary>The operators the generator can compile.</summary>
    internal enum PipelineOperator
    {
        Map,
        FlatMap,
        Filter,
        MapValues,
        FlatMapValues,
        ReduceByKey,
        CountByValue,
        Count,
        Reduce,
        CombineByKey,
        GroupByKey,
        Join,
        LeftOuterJoin,
        RightOuterJoin,
        FullOuterJoin,
        CoGroup,
        Window,
        CountByWindow,
        ReduceByWindow,
        CountByValueAndWindow,
        ReduceByKeyAndWindow,
        GroupByKeyAndWindow,
        UpdateStateByKey,
        MapWithState,
        StateSnapshots,
        Union,
        Transform,
        TransformWith,
        Glom,
        MapBatch,
        Repartition,

        // Event time: run by the runtime (a boundary each), so a definition using them still compiles its other stages;
        // a chain WithEventTime → event-time Map/Filter/FlatMap/MapValues → event-time window is fused instead (the
        // generator's EventTimePlanner), which is why those read their function (FunctionCount 1).
        WithEventTime,
        EventTimeMap,
        EventTimeFilter,
        EventTimeFlatMap,
        EventTimeMapValues,
        WithTimestamps,
        WindowByEventTime,
        CountByEventWindow,
        ReduceByKeyAndEventWindow,
        CountByKeyAndEventWindow,
        ReduceByKeyAndSessionWindow,
        EventTimeMapWithState,
        LateRecords,
        EventTimeUnion,
        EventTimeJoin,
    }

    /// <summary>How an operator takes part in fusion.</summary>
    internal enum OperatorRole
    {
        /// <summary>Record by record: fuses into the current loop.</summary>
        Narrow,

        /// <summary>Needs the whole batch: ends the loop, which writes into its hash table or accumulator.</summary>
        Shuffle,

        /// <summary>Combines two streams by key: both sides' loops fill one hash table.</summary>
        Join,

        /// <summary>
        /// Runs in the runtime, called with the user's arguments as written: windowed and stateful operators (for
        /// the reducing windows, the fused stage before also reduces each batch) and the operators that see a whole
        /// batch or several streams (Union, Transform, TransformWith, Glom, MapBatch, Repartition). The fused stages
        /// before and after it are compiled; their streams are handed to it and read from it.
        /// </summary>
        Boundary,
    }

    /// <summary>One compiled operator: its runtime name, its role and the arguments its compiled overload takes.</summary>
    internal sealed class OperatorInfo
    {
        public OperatorInfo(PipelineOperator op, OperatorRole role, string declaringType, int functionCount, int streamCount, string? name = null)
        {
            Operator = op;
            Name = name ?? op.ToString();
            Role = role;
            DeclaringType = declaringType;
            FunctionCount = functionCount;
            StreamCount = streamCount;
        }

        /// <summary>The operator.</summary>
        public PipelineOperator Operator { get; }

        /// <summary>The method name, as the runtime spells it (the operator's name unless an event-time overload shares it).</summary>
        public string Name { get; }

        /// <summary>How the operator fuses.</summary>
        public OperatorRole Role { get; }

        /// <summary>The metadata name of the type that declares the method.</summary>
        public string DeclaringType { get; }

        /// <summary>
        /// The number of function (lambda) arguments of the compiled overload; for a boundary operator, 1 when its
        /// first argument is a reducer the fused stage applies per batch before the runtime's window, or the function
        /// of an event-time operator that a fused event-time window inlines.
        /// </summary>
        public int FunctionCount { get; }

        /// <summary>The number of stream arguments besides the receiver (1 for joins, Union and TransformWith; it comes first).</summary>
        public int StreamCount { get; }

        /// <summary>Whether the operator ends a fused loop.</summary>
        public bool EndsLoop => Role != OperatorRole.Narrow;
    }

    /// <summary>The catalog of operators the generator compiles; any other operator keeps its definition interpreted.</summary>
    internal static class OperatorCatalog
    {
        private const string Stream = "Pipelines.DStream`1";
        private const string Extensions = "Pipelines.DStreamExtensions";
        private const string Pairs = "Pipelines.PairDStreamExtensions";
        private const string MappedState = "Pipelines.MapWithStateDStream`4";
        private const string EventTime = "Pipelines.EventTimeDStream`1";
        private const string EventTimePairs = "Pipelines.EventTimeExtensions";
        private const string EventTimeAggregate = "Pipelines.EventTimeAggregateDStream`2";

        /// <summary>Every compiled operator, in declaration order of <see cref="PipelineOperator"/>.</summary>
        public static readonly OperatorInfo[] All =
        {
            new OperatorInfo(PipelineOperator.Map, OperatorRole.Narrow, Stream, 1, 0),
            new OperatorInfo(PipelineOperator.FlatMap, OperatorRole.Narrow, Stream, 1, 0),
            new OperatorInfo(PipelineOperator.Filter, OperatorRole.Narrow, Stream, 1, 0),
            new OperatorInfo(PipelineOperator.MapValues, OperatorRole.Narrow, Pairs, 1, 0),
            new OperatorInfo(PipelineOperator.FlatMapValues, OperatorRole.Narrow, Pairs, 1, 0),
            new OperatorInfo(PipelineOperator.ReduceByKey, OperatorRole.Shuffle, Pairs, 1, 0),
            new OperatorInfo(PipelineOperator.CountByValue, OperatorRole.Shuffle, Extensions, 0, 0),
            new OperatorInfo(PipelineOperator.Count, OperatorRole.Shuffle, Stream, 0, 0),
            new OperatorInfo(PipelineOperator.Reduce, OperatorRole.Shuffle, Stream, 1, 0),
            new OperatorInfo(PipelineOperator.CombineByKey, OperatorRole.Shuffle, Pairs, 3, 0),
            new OperatorInfo(PipelineOperator.GroupByKey, OperatorRole.Shuffle, Pairs, 0, 0),
            new OperatorInfo(PipelineOperator.Join, OperatorRole.Join, Pairs, 0, 1),
            new OperatorInfo(PipelineOperator.LeftOuterJoin, OperatorRole.Join, Pairs, 0, 1),
            new OperatorInfo(PipelineOperator.RightOuterJoin, OperatorRole.Join, Pairs, 0, 1),
            new OperatorInfo(PipelineOperator.FullOuterJoin, OperatorRole.Join, Pairs, 0, 1),
            new OperatorInfo(PipelineOperator.CoGroup, OperatorRole.Join, Pairs, 0, 1),
            new OperatorInfo(PipelineOperator.Window, OperatorRole.Boundary, Stream, 0, 0),
            new OperatorInfo(PipelineOperator.CountByWindow, OperatorRole.Boundary, Stream, 0, 0),
            new OperatorInfo(PipelineOperator.ReduceByWindow, OperatorRole.Boundary, Stream, 1, 0),
            new OperatorInfo(PipelineOperator.CountByValueAndWindow, OperatorRole.Boundary, Extensions, 0, 0),
            new OperatorInfo(PipelineOperator.ReduceByKeyAndWindow, OperatorRole.Boundary, Pairs, 1, 0),
            new OperatorInfo(PipelineOperator.GroupByKeyAndWindow, OperatorRole.Boundary, Pairs, 0, 0),
            new OperatorInfo(PipelineOperator.UpdateStateByKey, OperatorRole.Boundary, Pairs, 0, 0),
            new OperatorInfo(PipelineOperator.MapWithState, OperatorRole.Boundary, Pairs, 0, 0),
            new OperatorInfo(PipelineOperator.StateSnapshots, OperatorRole.Boundary, MappedState, 0, 0),
            new OperatorInfo(PipelineOperator.Union, OperatorRole.Boundary, Stream, 0, 1),
            new OperatorInfo(PipelineOperator.Transform, OperatorRole.Boundary, Stream, 0, 0),
            new OperatorInfo(PipelineOperator.TransformWith, OperatorRole.Boundary, Stream, 0, 1),
            new OperatorInfo(PipelineOperator.Glom, OperatorRole.Boundary, Stream, 0, 0),
            new OperatorInfo(PipelineOperator.MapBatch, OperatorRole.Boundary, Stream, 0, 0),
            new OperatorInfo(PipelineOperator.Repartition, OperatorRole.Boundary, Stream, 0, 0),
            new OperatorInfo(PipelineOperator.WithEventTime, OperatorRole.Boundary, Stream, 1, 0),
            new OperatorInfo(PipelineOperator.EventTimeMap, OperatorRole.Boundary, EventTime, 1, 0, "Map"),
            new OperatorInfo(PipelineOperator.EventTimeFilter, OperatorRole.Boundary, EventTime, 1, 0, "Filter"),
            new OperatorInfo(PipelineOperator.EventTimeFlatMap, OperatorRole.Boundary, EventTime, 1, 0, "FlatMap"),
            new OperatorInfo(PipelineOperator.EventTimeMapValues, OperatorRole.Boundary, EventTimePairs, 1, 0, "MapValues"),
            new OperatorInfo(PipelineOperator.WithTimestamps, OperatorRole.Boundary, EventTime, 0, 0),
            new OperatorInfo(PipelineOperator.WindowByEventTime, OperatorRole.Boundary, EventTime, 0, 0),
            new OperatorInfo(PipelineOperator.CountByEventWindow, OperatorRole.Boundary, EventTime, 0, 0),
            new OperatorInfo(PipelineOperator.ReduceByKeyAndEventWindow, OperatorRole.Boundary, EventTimePairs, 1, 0),
            new OperatorInfo(PipelineOperator.CountByKeyAndEventWindow, OperatorRole.Boundary, EventTimePairs, 0, 0),
            new OperatorInfo(PipelineOperator.ReduceByKeyAndSessionWindow, OperatorRole.Boundary, EventTimePairs, 1, 0),
            new OperatorInfo(PipelineOperator.EventTimeMapWithState, OperatorRole.Boundary, EventTimePairs, 0, 0, "MapWithState"),
            new OperatorInfo(PipelineOperator.LateRecords, OperatorRole.Boundary, EventTimeAggregate, 0, 0),
            new OperatorInfo(PipelineOperator.EventTimeUnion, OperatorRole.Boundary, EventTime, 0, 1, "Union"),
            new OperatorInfo(PipelineOperator.EventTimeJoin, OperatorRole.Boundary, EventTimePairs, 0, 1, "Join"),
        };

        /// <summary>Finds the compiled operator named <paramref name="name"/> declared by <paramref name="declaringType"/>.</summary>
        public static OperatorInfo? Find(string declaringType, string name)
        {
            foreach (var info in All)
            {
                if (info.Name == name && info.DeclaringType == declaringType)
                {
                    return info;
                }
            }

            return null;
        }
    }
}
