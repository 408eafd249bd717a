namespace Pipelines.MachineLearning;

/// <summary>
/// Seeded uniform and standard normal numbers (Marsaglia's polar method, as <c>java.util.Random.nextGaussian</c>),
/// reproducible for a seed on every platform.
/// </summary>
internal sealed class GaussianRandom(int seed)
{
    private readonly Random _random = new(seed);
    private double _spare;
    private bool _hasSpare;

    /// <summary>A uniform number in [0, 1).</summary>
    public double NextDouble() => _random.NextDouble();

    /// <summary>A standard normal number.</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }

        double u, v, s;
        do
        {
            u = (2 * _random.NextDouble()) - 1;
            v = (2 * _random.NextDouble()) - 1;
            s = (u * u) + (v * v);
        }
        while (s >= 1 || s == 0);

        var multiplier = Math.Sqrt(-2 * Math.Log(s) / s);
        _spare = v * multiplier;
        _hasSpare = true;
        return u * multiplier;
    }
}
