using System.Collections.Concurrent;
using System.Globalization;
using Pipelines;
using Pipelines.MachineLearning.Clustering;

// Streaming k-means (MLlib's StreamingKMeans) on points around three centers that drift a little every batch.
// The model learns on one stream and predicts on another; the centers are printed as they move.
//   dotnet run --project samples/StreamingKMeans                  10 batches of 500 ms
//   dotnet run --project samples/StreamingKMeans -- --batches 30  run longer (0 = until Ctrl+C)
var batches = args is ["--batches", var n] && int.TryParse(n, CultureInfo.InvariantCulture, out var parsed) ? parsed : 10;
var interval = TimeSpan.FromMilliseconds(500);

await using var ssc = new StreamingContext(interval);

// Two input streams fed by a generator: training points, and labeled test points to predict on.
var training = new ConcurrentQueue<IEnumerable<double[]>>();
var testing = new ConcurrentQueue<IEnumerable<(string Truth, double[] Point)>>();
var source = new DriftingClusters(seed: 7);

var kMeans = new StreamingKMeans { K = 3 }
    .HalfLife(3, DecayTimeUnit.Batches)        // forget old batches: the centers move
    .RandomCenters(dimensions: 2, weight: 0.0, seed: 42);
kMeans.TrainOn(ssc.QueueStream(training));

var predictions = kMeans.PredictOnValues(ssc.QueueStream(testing));

var completed = 0;
var done = new TaskCompletionSource();
predictions.ForEachBatch((batch, time) =>
{
    var model = kMeans.LatestModel;
    Console.WriteLine($"batch {time}  true centers {source.Describe()}");
    for (var c = 0; c < model.K; c++)
    {
        var center = model.GetCenter(c);
        var members = batch.Count(p => p.Cluster == c);
        var truths = string.Join(",", batch.Where(p => p.Cluster == c).Select(p => p.Key).Distinct().Order());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  cluster {c}: center ({center[0],7:F2}, {center[1],7:F2})  weight {model.GetWeight(c),6:F1}  test points {members,2} from {truths}"));
    }

    // Feed the next batch of both streams.
    training.Enqueue(source.Points(200));
    testing.Enqueue(source.LabeledPoints(30));
    source.Drift();
    if (batches > 0 && Interlocked.Increment(ref completed) >= batches)
    {
        done.TrySetResult();
    }
});

training.Enqueue(source.Points(200));
testing.Enqueue(source.LabeledPoints(30));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    done.TrySetResult();
};

ssc.Start();
await Task.WhenAny(done.Task, ssc.AwaitTerminationAsync());
await ssc.StopAsync(graceful: true);
return 0;

/// <summary>Three Gaussian blobs whose centers move a step each batch.</summary>
internal sealed class DriftingClusters(int seed)
{
    private readonly Random _random = new(seed);
    private readonly (string Name, double X, double Y, double Dx, double Dy)[] _centers =
    [
        ("A", -5, 0, 0.3, 0.1),
        ("B", 5, 0, -0.1, 0.3),
        ("C", 0, 8, 0.2, -0.2),
    ];

    public IEnumerable<double[]> Points(int count) => LabeledPoints(count).Select(p => p.Point).ToArray();

    public IEnumerable<(string Truth, double[] Point)> LabeledPoints(int count)
    {
        var points = new (string, double[])[count];
        for (var i = 0; i < count; i++)
        {
            var (name, x, y, _, _) = _centers[i % _centers.Length];
            points[i] = (name, [x + Gaussian(), y + Gaussian()]);
        }

        return points;
    }

    public void Drift()
    {
        for (var i = 0; i < _centers.Length; i++)
        {
            var c = _centers[i];
            _centers[i] = c with { X = c.X + c.Dx, Y = c.Y + c.Dy };
        }
    }

    public string Describe() => string.Join(" ", _centers.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Name}({c.X:F1}, {c.Y:F1})")));

    private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble()) * 0.7;
}
