using Pipelines.Compilation;
using Pipelines.Generators.Model;

namespace Pipelines.Generators.Parsing;

/// <summary>Which event-time operators' one-parameter functions the parser reads, for a fused event-time window to inline.</summary>
internal static class EventTimeReading
{
    /// <summary>
    /// Whether <paramref name="lambda"/> is the function of an event-time operator the generator may fuse
    /// (<c>WithEventTime</c>'s event-time reader, the event-time <c>Map</c>/<c>Filter</c>/<c>FlatMap</c>/<c>MapValues</c>).
    /// </summary>
    public static bool TakesOneParameterFunction(PipelineOperator op, LambdaModel lambda) =>
        lambda.Parameters.Count == 1 && op is PipelineOperator.WithEventTime or PipelineOperator.EventTimeMap or PipelineOperator.EventTimeFilter
            or PipelineOperator.EventTimeFlatMap or PipelineOperator.EventTimeMapValues;
}
