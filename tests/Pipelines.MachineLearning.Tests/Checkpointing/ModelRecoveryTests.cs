using System.Collections.Concurrent;
using Pipelines.MachineLearning.Clustering;
using Pipelines.MachineLearning.Graphs;
using Pipelines.MachineLearning.Regression;

namespace Pipelines.MachineLearning.Tests.Checkpointing;

/// <summary>The model is state: a restart from the checkpoint folder continues from the saved model.</summary>
public sealed class ModelRecoveryTests
{
    private static readonly DateTimeOffset ClockStart = DateTimeOffset.UnixEpoch.AddHours(1);

    private static StreamingKMeans NewKMeans() =>
        new StreamingKMeans { K = 2 }.HalfLife(2, DecayTimeUnit.Batches).InitialCenters([[0.0, 0.0], [1.0, 1.0]], [1.0, 1.0]);

    private static double[][][] KMeansBatches(int count) => TestData.KMeansData(20, count, k: 2, d: 2, r: 0.3, seed: 7).Batches;

    private static StreamingKMeansModel RunKMeans(string directory, double[][][] batches, int steps, DateTimeOffset clockStart, out DateTimeOffset clockEnd, bool stop = true)
    {
        var kMeans = NewKMeans();
        var run = CheckpointedRun.Start(directory, clockStart, context => kMeans.TrainOn(context.QueueStream(batches)));
        try
        {
            for (var i = 0; i < steps; i++)
            {
                run.Step();
            }

            clockEnd = run.Clock.GetUtcNow();
            if (stop)
            {
                run.StopGracefullyAsync().Wait();
            }

            return kMeans.LatestModel;
        }
        finally
        {
            run.DisposeAsync().AsTask().Wait();
        }
    }

    [Fact]
    public void KMeans_restarted_from_its_checkpoint_ends_with_the_model_of_an_uninterrupted_run()
    {
        var batches = KMeansBatches(6);
        using var uninterruptedFolder = new TempFolder();
        var expected = RunKMeans(uninterruptedFolder.Path, batches, 6, ClockStart, out _);

        using var folder = new TempFolder();
        var halfway = RunKMeans(folder.Path, batches[..3], 3, ClockStart, out var stoppedAt);
        Assert.NotEqual(expected.ClusterCenters, halfway.ClusterCenters);
        Assert.True(Directory.EnumerateFileSystemEntries(folder.Path).Any(), "The first run wrote no checkpoint.");

        // The restarted process defines a fresh StreamingKMeans with the same initial centers; the checkpoint
        // brings back the model the first run had learned.
        var resumed = RunKMeans(folder.Path, batches[3..], 3, stoppedAt, out _);

        Assert.Equal(expected.ClusterCenters, resumed.ClusterCenters);
        Assert.Equal(expected.ClusterWeights, resumed.ClusterWeights);
    }

    [Fact]
    public void Linear_regression_restarted_from_its_checkpoint_continues_from_the_saved_weights()
    {
        var batches = Enumerable.Range(0, 6).Select(i => TestData.LinearInput(0.0, [10.0, 10.0], 100, 42 * (i + 1))).ToArray();

        double[] Run(string directory, LabeledPoint[][] input, DateTimeOffset start, out DateTimeOffset end)
        {
            var regression = new StreamingLinearRegressionWithSgd { StepSize = 0.2, NumIterations = 25 }.InitialWeights(0.0, 0.0);
            var run = CheckpointedRun.Start(directory, start, context => regression.TrainOn(context.QueueStream(input)));
            try
            {
                for (var i = 0; i < input.Length; i++)
                {
                    run.Step();
                }

                end = run.Clock.GetUtcNow();
                run.StopGracefullyAsync().Wait();
                return regression.LatestModel.Weights;
            }
            finally
            {
                run.DisposeAsync().AsTask().Wait();
            }
        }

        using var uninterruptedFolder = new TempFolder();
        var expected = Run(uninterruptedFolder.Path, batches, ClockStart, out _);
        using var folder = new TempFolder();
        Run(folder.Path, batches[..3], ClockStart, out var stoppedAt);
        var resumed = Run(folder.Path, batches[3..], stoppedAt, out _);

        Assert.Equal(expected, resumed);
    }

    [Fact]
    public void Incremental_components_restarted_from_their_checkpoint_keep_the_edges_seen_before()
    {
        (string, string)[][] before = [[("a", "b")], [("c", "d")]];
        (string, string)[][] after = [[("b", "c")], [("e", "f")]];
        using var folder = new TempFolder();

        IReadOnlyList<(string Vertex, string Component)> Run((string, string)[][] input, DateTimeOffset start, out DateTimeOffset end)
        {
            var latest = new ConcurrentQueue<(string, string)[]>();
            var run = CheckpointedRun.Start(folder.Path, start, context =>
                context.QueueStream(input).ConnectedComponents().ForEachBatch((batch, _) => latest.Enqueue(batch.ToArray())));
            try
            {
                for (var i = 0; i < input.Length; i++)
                {
                    run.Step();
                }

                end = run.Clock.GetUtcNow();
                run.StopGracefullyAsync().Wait();
                return latest.Last();
            }
            finally
            {
                run.DisposeAsync().AsTask().Wait();
            }
        }

        var first = Run(before, ClockStart, out var stoppedAt);
        Assert.Equal([("a", "a"), ("b", "a"), ("c", "c"), ("d", "c")], first);

        // After the restart, b-c joins the components learned before it.
        var resumed = Run(after, stoppedAt, out _);
        Assert.Equal([("a", "a"), ("b", "a"), ("c", "a"), ("d", "a"), ("e", "e"), ("f", "e")], resumed);
    }
}
