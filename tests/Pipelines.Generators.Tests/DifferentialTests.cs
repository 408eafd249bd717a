using CsCheck;
using Pipelines.Generators.Tests.Compiled;
using Pipelines.Generators.Tests.Support;
using Pipelines.Testing;

namespace Pipelines.Generators.Tests;

/// <summary>
/// Random input batches (CsCheck, fixed seed) through each compiled <c>Compile…</c> and its interpreted
/// <c>Define…</c>: the outputs must be equal batch for batch (as multisets, and also in order, since the compiled
/// stages keep the interpreted operators' first-seen key order when the parallelism is 1; above it, shuffles
/// hash-partition their keys and only the multisets are specified). Unary definitions also run on two-partition
/// batches (a stream unioned with itself), which exercises per-partition work such as CombineByKey's merge.
/// </summary>
public sealed class DifferentialTests
{
    private const int Iterations = 60;
    private const int Batches = 5;
    private static readonly string Seed = new PCG(7, 20261125).ToString();

    private static readonly Gen<int[][]> Numbers = Gen.Int[-20, 60].Array[0, 12].Array[1, Batches];
    private static readonly Gen<(int, int)[][]> Pairs = Gen.Select(Gen.Int[0, 6], Gen.Int[-9, 30]).Array[0, 12].Array[1, Batches];
    private static readonly Gen<(int, string)[][]> StringPairs = Gen.Select(Gen.Int[0, 6], Gen.String[Gen.Char["xyz"], 0, 3]).Array[0, 8].Array[1, Batches];
    private static readonly Gen<string[][]> Lines = Gen.String[Gen.Char["ab ,c"], 0, 14].Array[0, 6].Array[1, Batches];
    private static readonly Gen<(string, string?)[][]> NullablePairs =
        Gen.Select(Gen.String[Gen.Char["pq"], 1, 2], Gen.String[Gen.Char["uvw"], 0, 4].Null()).Array[0, 10].Array[1, Batches];

    [Fact]
    public void Map_matches_interpreted() => Unary(Numbers, OperatorPipelines.DefineMap, OperatorPipelines.CompileMap);

    [Fact]
    public void Map_with_widening_conversion_matches_interpreted() => Unary(Numbers, OperatorPipelines.DefineMapWidening, OperatorPipelines.CompileMapWidening);

    [Fact]
    public void Filter_matches_interpreted() => Unary(Numbers, OperatorPipelines.DefineFilter, OperatorPipelines.CompileFilter);

    [Fact]
    public void FlatMap_matches_interpreted() => Unary(Numbers, OperatorPipelines.DefineFlatMap, OperatorPipelines.CompileFlatMap);

    [Fact]
    public void FlatMap_of_a_collection_expression_matches_interpreted() =>
        Unary(Numbers, OperatorPipelines.DefineFlatMapCollectionExpression, OperatorPipelines.CompileFlatMapCollectionExpression);

    [Fact]
    public void MapValues_matches_interpreted() => Unary(Pairs, OperatorPipelines.DefineMapValues, OperatorPipelines.CompileMapValues);

    [Fact]
    public void FlatMapValues_matches_interpreted() => Unary(Pairs, OperatorPipelines.DefineFlatMapValues, OperatorPipelines.CompileFlatMapValues);

    [Fact]
    public void ReduceByKey_matches_interpreted() => Unary(Pairs, OperatorPipelines.DefineReduceByKey, OperatorPipelines.CompileReduceByKey);

    [Fact]
    public void CountByValue_matches_interpreted() => Unary(Numbers, OperatorPipelines.DefineCountByValue, OperatorPipelines.CompileCountByValue);

    [Fact]
    public void Count_matches_interpreted_including_empty_batches() => Unary(Numbers, OperatorPipelines.DefineCount, OperatorPipelines.CompileCount);

    [Fact]
    public void Reduce_matches_interpreted_including_empty_batches() => Unary(Numbers, OperatorPipelines.DefineReduce, OperatorPipelines.CompileReduce);

    [Fact]
    public void Named_arguments_match_interpreted() => Unary(Pairs, OperatorPipelines.DefineNamedArguments, OperatorPipelines.CompileNamedArguments);

    [Fact]
    public void CombineByKey_matches_interpreted_per_partition() => Unary(Pairs, OperatorPipelines.DefineCombineByKey, OperatorPipelines.CompileCombineByKey);

    [Fact]
    public void GroupByKey_matches_interpreted() => Unary(Pairs, OperatorPipelines.DefineGroupByKey, OperatorPipelines.CompileGroupByKey);

    [Fact]
    public void Join_matches_interpreted() => Binary(Pairs, StringPairs, OperatorPipelines.DefineJoin, OperatorPipelines.CompileJoin);

    [Fact]
    public void LeftOuterJoin_matches_interpreted() => Binary(Pairs, StringPairs, OperatorPipelines.DefineLeftOuterJoin, OperatorPipelines.CompileLeftOuterJoin);

    [Fact]
    public void RightOuterJoin_matches_interpreted() => Binary(Pairs, StringPairs, OperatorPipelines.DefineRightOuterJoin, OperatorPipelines.CompileRightOuterJoin);

    [Fact]
    public void FullOuterJoin_matches_interpreted() => Binary(Pairs, StringPairs, OperatorPipelines.DefineFullOuterJoin, OperatorPipelines.CompileFullOuterJoin);

    [Fact]
    public void CoGroup_matches_interpreted() => Binary(Pairs, StringPairs, OperatorPipelines.DefineCoGroup, OperatorPipelines.CompileCoGroup);

    [Fact]
    public void Map_filter_reduce_with_narrow_operators_after_the_shuffle_matches_interpreted() =>
        Unary(Numbers, OperatorPipelines.DefineMapFilterReduce, OperatorPipelines.CompileMapFilterReduce);

    [Fact]
    public void Transformed_outer_join_then_reduce_matches_interpreted() =>
        Binary(Numbers, Lines, OperatorPipelines.DefineJoinThenReduce, OperatorPipelines.CompileJoinThenReduce);

    [Fact]
    public void Static_method_groups_match_interpreted() => Unary(Numbers, OperatorPipelines.DefineMethodGroups, OperatorPipelines.CompileMethodGroups);

    [Fact]
    public void Block_lambdas_match_interpreted() => Unary(Numbers, OperatorPipelines.DefineBlockLambdas, OperatorPipelines.CompileBlockLambdas);

    [Fact]
    public void Two_shuffles_match_interpreted() => Unary(Pairs, OperatorPipelines.DefineTwoShuffles, OperatorPipelines.CompileTwoShuffles);

    [Fact]
    public void Nullable_values_match_interpreted() => Unary(NullablePairs, OperatorPipelines.DefineNullable, OperatorPipelines.CompileNullable);

    [Fact]
    public void Self_join_matches_interpreted() => Unary(Pairs, OperatorPipelines.DefineSelfJoin, OperatorPipelines.CompileSelfJoin);

    [Fact]
    public void Word_count_with_span_lookup_matches_interpreted() => Unary(Lines, WordPipelines.Define, WordPipelines.Compile);

    [Fact]
    public void Word_count_keeping_empty_entries_matches_interpreted() => Unary(Lines, WordPipelines.DefineKeepEmpty, WordPipelines.CompileKeepEmpty);

    [Fact]
    public void Word_count_split_on_a_trimmed_string_separator_matches_interpreted() =>
        Unary(Lines, WordPipelines.DefineTrimmedByString, WordPipelines.CompileTrimmedByString);

    [Fact]
    public void CountByValue_of_split_words_matches_interpreted() => Unary(Lines, WordPipelines.DefineCountByValue, WordPipelines.CompileCountByValue);

    [Fact]
    public void Keyed_map_outside_the_span_case_matches_interpreted() => Unary(Lines, WordPipelines.DefineLongest, WordPipelines.CompileLongest);

    [Fact]
    public void Windowed_word_count_matches_interpreted() => Unary(Lines, WindowPipelines.DefineWindowedWordCount, WindowPipelines.CompileWindowedWordCount);

    [Fact]
    public void Incremental_ReduceByKeyAndWindow_with_filter_matches_interpreted() => Unary(Numbers, WindowPipelines.DefineIncremental, WindowPipelines.CompileIncremental);

    [Fact]
    public void ReduceByKeyAndWindow_with_named_arguments_matches_interpreted() =>
        Unary(Numbers, WindowPipelines.DefineNamedWindowArguments, WindowPipelines.CompileNamedWindowArguments);

    [Fact]
    public void ReduceByWindow_matches_interpreted() => Unary(Numbers, WindowPipelines.DefineReduceByWindow, WindowPipelines.CompileReduceByWindow);

    [Fact]
    public void ReduceByWindow_with_inverse_matches_interpreted() => Unary(Numbers, WindowPipelines.DefineReduceByWindowInverse, WindowPipelines.CompileReduceByWindowInverse);

    [Fact]
    public void CountByValueAndWindow_matches_interpreted() => Unary(Numbers, WindowPipelines.DefineCountByValueAndWindow, WindowPipelines.CompileCountByValueAndWindow);

    [Fact]
    public void CountByWindow_matches_interpreted() => Unary(Numbers, WindowPipelines.DefineCountByWindow, WindowPipelines.CompileCountByWindow);

    [Fact]
    public void Incremental_window_of_span_words_fused_into_its_slice_matches_interpreted() =>
        Unary(Lines, WindowPipelines.DefineWordWindowIncremental, WindowPipelines.CompileWordWindowIncremental);

    [Fact]
    public void Incremental_window_over_the_pairs_parameter_matches_interpreted() =>
        Unary(Pairs, WindowPipelines.DefinePairsIncremental, WindowPipelines.CompilePairsIncremental);

    [Fact]
    public void Incremental_window_sliding_two_batches_then_filter_matches_interpreted() =>
        Unary(Numbers, WindowPipelines.DefineIncrementalSlideThenFilter, WindowPipelines.CompileIncrementalSlideThenFilter);

    [Fact]
    public void Recomputed_window_with_partitions_and_slide_matches_interpreted() =>
        Unary(Pairs, WindowPipelines.DefineRecomputePartitioned, WindowPipelines.CompileRecomputePartitioned);

    [Fact]
    public void Incremental_window_with_partitions_matches_interpreted() =>
        Unary(Pairs, WindowPipelines.DefineIncrementalPartitioned, WindowPipelines.CompileIncrementalPartitioned);

    [Fact]
    public void CountByValueAndWindow_of_span_words_matches_interpreted() =>
        Unary(Lines, WindowPipelines.DefineCountWordsByValueAndWindow, WindowPipelines.CompileCountWordsByValueAndWindow);

    [Fact]
    public void Incremental_window_with_a_failing_batch_matches_interpreted_step_by_step() =>
        Stepped(Numbers13, WindowPipelines.DefineThrowingIncremental, WindowPipelines.CompileThrowingIncremental);

    [Fact]
    public void Recomputed_window_with_a_failing_batch_matches_interpreted_step_by_step() =>
        Stepped(Numbers13, WindowPipelines.DefineThrowingRecompute, WindowPipelines.CompileThrowingRecompute);

    [Fact]
    public void CountByWindow_with_a_failing_batch_matches_interpreted_step_by_step() =>
        Stepped(Numbers13, WindowPipelines.DefineThrowingCountByWindow, WindowPipelines.CompileThrowingCountByWindow);

    [Fact]
    public void GroupByKeyAndWindow_matches_interpreted() => Unary(Numbers, WindowPipelines.DefineGroupByKeyAndWindow, WindowPipelines.CompileGroupByKeyAndWindow);

    [Fact]
    public void Window_matches_interpreted() => Unary(Numbers, WindowPipelines.DefineWindow, WindowPipelines.CompileWindow);

    [Fact]
    public void MapWithState_matches_interpreted() => Unary(Numbers, WindowPipelines.DefineRunningSum, WindowPipelines.CompileRunningSum);

    [Fact]
    public void UpdateStateByKey_session_count_matches_interpreted() =>
        Unary(Gen.String[Gen.Char["uvw"], 0, 2].Array[0, 8].Array[1, Batches], WindowPipelines.DefineSessionCount, WindowPipelines.CompileSessionCount);

    [Fact]
    public void Block_lambda_with_an_inferred_reference_type_matches_interpreted() => Unary(Lines, ScopePipelines.DefineTrimmed, ScopePipelines.CompileTrimmed);

    [Fact]
    public void Fused_lambdas_declaring_the_same_variables_match_interpreted() =>
        Unary(Gen.Int[-5, 12].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Array[0, 10].Array[1, Batches], ScopePipelines.DefineSameOutVariables, ScopePipelines.CompileSameOutVariables);

    [Fact]
    public void Nameof_a_renamed_parameter_matches_interpreted() => Unary(Numbers, ScopePipelines.DefineNameOf, ScopePipelines.CompileNameOf);

    [Fact]
    public void Fallback_definitions_run_interpreted() =>
        Unary(Numbers, FallbackPipelines.DefineCapture, FallbackPipelines.CompileCapture);

    [Fact]
    public void Narrow_operators_after_a_window_match_interpreted() =>
        Unary(Lines, ComposedPipelines.DefineWindowThenNarrow, ComposedPipelines.CompileWindowThenNarrow);

    [Fact]
    public void Filter_after_UpdateStateByKey_matches_interpreted() =>
        Unary(Numbers, ComposedPipelines.DefineStateThenFilter, ComposedPipelines.CompileStateThenFilter);

    [Fact]
    public void StateSnapshots_after_MapWithState_matches_interpreted() =>
        Unary(Numbers, ComposedPipelines.DefineStateSnapshots, ComposedPipelines.CompileStateSnapshots);

    [Fact]
    public void Union_of_compiled_inputs_matches_interpreted() =>
        Binary(Numbers, Numbers, ComposedPipelines.DefineUnion, ComposedPipelines.CompileUnion);

    [Fact]
    public void Union_of_three_inputs_matches_interpreted() =>
        Unary(Numbers, s => ComposedPipelines.DefineUnionOfThree(s, s.Map(n => n + 1), s.Filter(n => n > 10)), s => ComposedPipelines.CompileUnionOfThree(s, s.Map(n => n + 1), s.Filter(n => n > 10)));

    [Fact]
    public void Transform_between_fused_stages_matches_interpreted() =>
        Unary(Numbers, ComposedPipelines.DefineTransform, ComposedPipelines.CompileTransform);

    [Fact]
    public void TransformWith_between_fused_stages_matches_interpreted() =>
        Binary(Numbers, Lines, ComposedPipelines.DefineTransformWith, ComposedPipelines.CompileTransformWith);

    [Fact]
    public void Glom_between_fused_stages_matches_interpreted() => Unary(Numbers, ComposedPipelines.DefineGlom, ComposedPipelines.CompileGlom);

    [Fact]
    public void MapBatch_between_fused_stages_matches_interpreted() => Unary(Numbers, ComposedPipelines.DefineMapBatch, ComposedPipelines.CompileMapBatch);

    [Fact]
    public void Repartition_between_fused_stages_matches_interpreted() =>
        Unary(Numbers, ComposedPipelines.DefineRepartition, ComposedPipelines.CompileRepartition);

    [Fact]
    public void Three_way_join_matches_interpreted() =>
        Unary(Pairs, s => ComposedPipelines.DefineThreeWayJoin(s, s.MapValues(v => v - 1), s.Filter(p => p.Item2 > 3)), s => ComposedPipelines.CompileThreeWayJoin(s, s.MapValues(v => v - 1), s.Filter(p => p.Item2 > 3)));

    [Fact]
    public void Definition_over_locals_matches_interpreted() => Unary(Lines, ComposedPipelines.DefineWithLocals, ComposedPipelines.CompileWithLocals);

    [Fact]
    public void Shared_local_matches_interpreted() => Unary(Numbers, ComposedPipelines.DefineSharedLocal, ComposedPipelines.CompileSharedLocal);

    [Fact]
    public void A_failing_batch_fails_both_paths_and_leaks_no_records_into_the_next()
    {
        Gen.Int[-3, 3].Array[1, 6].Array[2, Batches].Sample(
            batches =>
            {
                using var interpreted = StreamingTest.Start(batches, OperatorPipelines.DefineDivide);
                using var compiled = StreamingTest.Start(batches, OperatorPipelines.CompileDivide);
                for (var i = 0; i < batches.Length; i++)
                {
                    var expected = interpreted.Step();
                    var actual = compiled.Step();
                    Assert.Equal(expected.Failure is null, actual.Failure is null);
                    Assert.Equal(expected.Produced, actual.Produced);
                    Assert.Equal(expected.Records.Select(r => Records.Canon(r)), actual.Records.Select(r => Records.Canon(r)));
                }
            },
            seed: Seed,
            iter: Iterations,
            threads: 1);
    }

    /// <summary>(event second, value) records drifting forward with the batches and out of order, so some are late.</summary>
    private static readonly Gen<(int, int)[][]> Events =
        Gen.Select(Gen.Int[0, 40], Gen.Int[-3, 20]).Array[0, 10].Array[1, Batches];

    [Fact]
    public void Event_time_window_sums_match_interpreted() => Unary(Events, EventTimePipelines.DefineEventWindowSums, EventTimePipelines.CompileEventWindowSums);

    [Fact]
    public void Event_time_early_window_counts_match_interpreted() => Unary(Events, EventTimePipelines.DefineEarlyEventWindowCounts, EventTimePipelines.CompileEarlyEventWindowCounts);

    [Fact]
    public void Event_time_sessions_match_interpreted() => Unary(Events, EventTimePipelines.DefineSessions, EventTimePipelines.CompileSessions);

    [Fact]
    public void Event_time_sessions_with_a_failing_batch_match_interpreted_step_by_step() =>
        Stepped(Numbers13, EventTimePipelines.DefineThrowingSessions, EventTimePipelines.CompileThrowingSessions);

    [Fact]
    public void Event_time_window_with_a_failing_batch_matches_interpreted_step_by_step() =>
        Stepped(Numbers13, EventTimePipelines.DefineThrowingEventWindow, EventTimePipelines.CompileThrowingEventWindow);

    [Fact]
    public void Event_time_late_records_side_output_matches_interpreted() => Unary(Events, EventTimePipelines.DefineLateRecords, EventTimePipelines.CompileLateRecords);

    [Fact]
    public void Event_time_timeouts_match_interpreted() => Unary(Events, EventTimePipelines.DefineEventTimeTimeouts, EventTimePipelines.CompileEventTimeTimeouts);

    private static void Unary<TIn, TOut>(Gen<TIn[][]> input, Func<DStream<TIn>, DStream<TOut>> define, Func<DStream<TIn>, DStream<TOut>> compile)
    {
        input.Sample(
            batches =>
            {
                AssertSame(
                    StreamingTest.Run(batches, define, Batches + 1),
                    StreamingTest.Run(batches, compile, Batches + 1));
                AssertSame(
                    StreamingTest.Run(batches, s => define(s.Union(s)), Batches + 1),
                    StreamingTest.Run(batches, s => compile(s.Union(s)), Batches + 1));
            },
            seed: Seed,
            iter: Iterations,
            threads: 1);
    }

    /// <summary>Numbers where 13 (a division by zero in the throwing definitions) comes up in some batches.</summary>
    private static readonly Gen<int[][]> Numbers13 = Gen.Int[8, 16].Array[0, 6].Array[1, Batches + 2];

    /// <summary>
    /// Steps both paths batch by batch (plus trailing empty batches, so windows drain): at every step both fail or
    /// both give the same records, and a failed window leaves the window so that the next steps still agree.
    /// </summary>
    private static void Stepped<TIn, TOut>(Gen<TIn[][]> input, Func<DStream<TIn>, DStream<TOut>> define, Func<DStream<TIn>, DStream<TOut>> compile)
    {
        var failures = 0;
        input.Sample(
            batches =>
            {
                var padded = batches.Concat(Enumerable.Repeat(Array.Empty<TIn>(), 4)).ToArray();
                using var interpreted = StreamingTest.Start(padded, define);
                using var compiled = StreamingTest.Start(padded, compile);
                for (var step = 0; step < padded.Length; step++)
                {
                    var expected = interpreted.Step();
                    var actual = compiled.Step();
                    Assert.Equal(expected.Failure is null, actual.Failure is null);
                    if (expected.Failure is not null)
                    {
                        failures++;
                        continue;
                    }

                    AssertSame([expected.Records], [actual.Records]);
                }
            },
            seed: Seed,
            iter: Iterations,
            threads: 1);
        Assert.True(failures > 0, "No batch failed: the input never exercised the failure path.");
    }

    private static void Binary<TLeft, TRight, TOut>(
        Gen<TLeft[][]> left, Gen<TRight[][]> right, Func<DStream<TLeft>, DStream<TRight>, DStream<TOut>> define, Func<DStream<TLeft>, DStream<TRight>, DStream<TOut>> compile)
    {
        Gen.Select(left, right).Sample(
            (l, r) => AssertSame(
                StreamingTest.Run(l, r, define, Batches + 1),
                StreamingTest.Run(l, r, compile, Batches + 1)),
            seed: Seed,
            iter: Iterations,
            threads: 1);
    }

    private static void AssertSame<T>(IReadOnlyList<IReadOnlyList<T>> interpreted, IReadOnlyList<IReadOnlyList<T>> compiled)
    {
        Assert.Equal(Records.Multisets(interpreted), Records.Multisets(compiled));
        if (new StreamingOptions().Parallelism == 1)
        {
            // Order is only specified with one output partition per shuffle (PIPELINES_PARALLELISM=1).
            Assert.Equal(Records.Sequences(interpreted), Records.Sequences(compiled));
        }
    }
}
