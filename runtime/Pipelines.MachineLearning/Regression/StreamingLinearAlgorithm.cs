using Pipelines.MachineLearning.State;

namespace Pipelines.MachineLearning.Regression;

/// <summary>
/// The common part of the streaming linear learners (MLlib's <c>StreamingLinearAlgorithm</c>): each non-empty
/// batch of <see cref="TrainOn"/> runs mini-batch SGD starting from the last model's weights, and the predictions
/// use the latest model.
/// </summary>
/// <remarks>
/// The model is the state of the training stream: it is saved in checkpoints and restored on recovery, and a
/// failed batch leaves it unchanged. Set the parameters before <see cref="TrainOn"/>.
/// </remarks>
/// <typeparam name="TModel">The model type.</typeparam>
public abstract class StreamingLinearAlgorithm<TModel>
    where TModel : GeneralizedLinearModel
{
    private readonly object _gate = new();
    private TModel? _model;
    private double _stepSize = 0.1;
    private int _numIterations = 50;
    private double _miniBatchFraction = 1.0;
    private double _convergenceTolerance = 0.001;

    private protected StreamingLinearAlgorithm()
    {
    }

    /// <summary>The initial step size of SGD (MLlib's <c>stepSize</c>; default 0.1); iteration i uses <c>StepSize / sqrt(i)</c>.</summary>
    public double StepSize
    {
        get => _stepSize;
        set => _stepSize = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The step size must be positive.");
    }

    /// <summary>The number of SGD iterations per batch (MLlib's <c>numIterations</c>; default 50).</summary>
    public int NumIterations
    {
        get => _numIterations;
        set => _numIterations = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The number of iterations must not be negative.");
    }

    /// <summary>
    /// The fraction of each batch sampled (Bernoulli, seeded) for each iteration (MLlib's <c>miniBatchFraction</c>;
    /// default 1: the whole batch).
    /// </summary>
    public double MiniBatchFraction
    {
        get => _miniBatchFraction;
        set => _miniBatchFraction = value is > 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The mini-batch fraction must be in (0, 1].");
    }

    /// <summary>
    /// SGD stops early within a batch when the weights move less than this fraction of their norm (at least 1)
    /// between two iterations (MLlib's <c>convergenceTol</c>; default 0.001; 0 never stops early).
    /// </summary>
    public double ConvergenceTolerance
    {
        get => _convergenceTolerance;
        set => _convergenceTolerance = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The convergence tolerance must not be negative.");
    }

    /// <summary>The base seed of the mini-batch sampling: iteration i samples with seed <c>Seed + i</c> (MLlib uses 42).</summary>
    public int Seed { get; set; } = 42;

    /// <summary>
    /// The latest model: the initial one until a training batch completes, then the model after the last
    /// completed batch. After recovery from a checkpoint, the restored model shows here once the first batch after
    /// the restart completes.
    /// </summary>
    /// <exception cref="InvalidOperationException">No initial weights were set.</exception>
    public TModel LatestModel
    {
        get
        {
            lock (_gate)
            {
                return _model ?? throw new InvalidOperationException($"{GetType().Name} has no model yet: call InitialWeights before TrainOn, PredictOn or LatestModel.");
            }
        }
    }

    /// <summary>
    /// Trains the model on every non-empty batch of <paramref name="data"/> (MLlib's <c>trainOn</c>), each batch
    /// continuing from the previous model; registers an output operation.
    /// </summary>
    /// <exception cref="InvalidOperationException">No initial weights were set.</exception>
    public void TrainOn(DStream<LabeledPoint> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var settings = Settings();
        ModelState.Train<LabeledPoint, TModel>(
            data,
            LatestModel,
            (model, points) => points.Count == 0 ? model : CreateModel(GradientDescent.Run(Validate(points), model.WeightsSpan, settings), model),
            model =>
            {
                lock (_gate)
                {
                    _model = model;
                }
            });
    }

    /// <summary>The latest model's prediction for each feature vector (MLlib's <c>predictOn</c>).</summary>
    /// <exception cref="InvalidOperationException">No initial weights were set.</exception>
    public DStream<double> PredictOn(DStream<double[]> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _ = LatestModel;
        return data.Transform(batch =>
        {
            var model = LatestModel;
            var records = batch.Span;
            var predictions = new double[records.Length];
            for (var i = 0; i < predictions.Length; i++)
            {
                predictions[i] = model.Predict(records[i]);
            }

            return predictions;
        });
    }

    /// <summary>Each key with the latest model's prediction for its features (MLlib's <c>predictOnValues</c>).</summary>
    /// <exception cref="InvalidOperationException">No initial weights were set.</exception>
    public DStream<(TKey Key, double Prediction)> PredictOnValues<TKey>(DStream<(TKey Key, double[] Features)> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _ = LatestModel;
        return data.Transform(batch =>
        {
            var model = LatestModel;
            var records = batch.Span;
            var predictions = new (TKey, double)[records.Length];
            for (var i = 0; i < predictions.Length; i++)
            {
                predictions[i] = (records[i].Key, model.Predict(records[i].Features));
            }

            return predictions;
        });
    }

    /// <summary>Sets the initial model.</summary>
    private protected void SetModel(TModel model)
    {
        lock (_gate)
        {
            _model = model;
        }
    }

    /// <summary>The SGD settings for this learner.</summary>
    private protected abstract SgdSettings Settings();

    /// <summary>Wraps trained weights into a model like <paramref name="previous"/>.</summary>
    private protected abstract TModel CreateModel(double[] weights, TModel previous);

    /// <summary>Checks a batch's labels before training (MLlib's data validators); returns the batch.</summary>
    private protected virtual IReadOnlyList<LabeledPoint> Validate(IReadOnlyList<LabeledPoint> points) => points;

    private protected SgdSettings Settings(LossKind loss, double regParam) =>
        new(loss, StepSize, NumIterations, MiniBatchFraction, regParam, ConvergenceTolerance, Seed);
}
