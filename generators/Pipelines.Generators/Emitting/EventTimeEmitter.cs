using System.Linq;
using Pipelines.Generators.Model;
using Pipelines.Generators.Planning;

namespace Pipelines.Generators.Emitting;

/// <summary>Writes the stage classes and remarks of fused event-time windows and session windows (see <see cref="EventTimePlanner"/>).</summary>
internal static class EventTimeEmitter
{
    /// <summary>A paragraph per fused event-time window, saying what runs in the generated loop and what in the runtime.</summary>
    public static void EmitRemarks(CodeWriter w, DefinitionPlan definition)
    {
        foreach (var stage in definition.Stages.Where(s => s.EventTime is not null))
        {
            if (IsSession(stage.EventTime!))
            {
                w.Line($"/// <para>Event time fused (<c>{stage.ClassName}</c>, {stage.EventTime!.Operator}): each record's event time is read by the inlined");
                w.Line("/// <c>WithEventTime</c> function and reported for the watermark, late records are set aside for the count and the side output,");
                w.Line("/// and the others are grouped by key in the loop, each merged into its key's sessions for the batch (a record opens");
                w.Line("/// [t, t + gap) and absorbs the sessions it overlaps, values combined by the inlined reducer in <c>Reduce</c>). The runtime");
                w.Line("/// (<c>CompiledEventTime</c>) commits the merged sessions, moves the watermark, emits and evicts the sessions it passed,");
                w.Line("/// and checkpoints the sessions and the watermark.</para>");
                continue;
            }

            w.Line($"/// <para>Event time fused (<c>{stage.ClassName}</c>, {stage.EventTime!.Operator}): each record's event time is read by the inlined");
            w.Line("/// <c>WithEventTime</c> function and reported for the watermark, late records are set aside for the count and the side output,");
            w.Line("/// and the others are pre-aggregated by (window, key) in the loop. The runtime (<c>CompiledEventTime</c>) merges each batch");
            w.Line("/// into its open windows with <c>Merge</c>, moves the watermark, emits and evicts, and checkpoints the windows and the watermark.</para>");
        }
    }

    public static void EmitStage(CodeWriter w, StagePlan stage)
    {
        var plan = stage.EventTime!;
        var input = stage.InputTypes[0];
        var session = IsSession(plan);
        var batchType = session
            ? $"global::Pipelines.Compilation.SessionWindowBatch<{plan.KeyType}, {plan.AggregateType}>"
            : $"global::Pipelines.Compilation.EventWindowBatch<{plan.RecordType}, {plan.KeyType}, {plan.AggregateType}>";
        var stageInterface = session
            ? $"global::Pipelines.Compilation.ISessionWindowStage<{input}, {plan.KeyType}, {plan.AggregateType}>"
            : $"global::Pipelines.Compilation.IEventWindowStage<{input}, {plan.RecordType}, {plan.KeyType}, {plan.AggregateType}>";
        w.Line($"/// <summary>The fused per-batch part of <c>{plan.Operator}</c>, from the stream before <c>WithEventTime</c>; one instance per compiled stream.</summary>");
        w.Line(Emitter.GeneratedCode);
        w.Open($"private sealed class {stage.ClassName} : {stageInterface}");
        foreach (var field in stage.Fields)
        {
            w.Line($"private readonly {field.Type} {field.Name} = new();");
        }

        if (stage.Fields.Count > 0)
        {
            w.Line();
        }

        w.Line("/// <inheritdoc/>");
        w.Open($"public void Process(global::Pipelines.Batch<{input}> {stage.InputNames[0]}, {batchType} {stage.OutputName})");
        for (var i = 0; i < stage.Loops.Count; i++)
        {
            var loop = stage.Loops[i];
            if (i > 0)
            {
                w.Line();
            }

            foreach (var node in loop.Prologue)
            {
                Emitter.Write(w, node);
            }

            w.Line($"// Loop {i + 1}: {string.Join(" → ", loop.Operators)}");
            Emitter.WriteAll(w, loop.Body);
        }

        Emitter.WriteFunctions(w, stage.Functions);
        w.Close();
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Open($"public {plan.AggregateType} {(session ? "Reduce" : "Merge")}({plan.AggregateType} {plan.MergeOpen}, {plan.AggregateType} {plan.MergeBatch})");
        Emitter.WriteAll(w, plan.MergeBody);
        Emitter.WriteFunctions(w, plan.MergeFunctions);
        w.Close();
        w.Close();
    }

    private static bool IsSession(EventTimeStagePlan plan) => plan.Operator == "ReduceByKeyAndSessionWindow";
}
