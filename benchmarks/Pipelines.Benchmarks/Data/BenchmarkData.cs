namespace Pipelines.Benchmarks.Data;

/// <summary>
/// The deterministic inputs of every workload: the same seed gives the same data on every machine and run,
/// so every contender sees the same records and must produce the same result.
/// </summary>
public static class BenchmarkData
{
    /// <summary>The seed all generators start from (each workload offsets it so the inputs are independent).</summary>
    public const int Seed = 20_251_125;

    /// <summary>W1: <paramref name="count"/> integers drawn uniformly from [0, 1000].</summary>
    public static int[] Integers(int count)
    {
        var random = new Random(Seed + 1);
        var values = new int[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.Next(0, 1001);
        }

        return values;
    }

    /// <summary>
    /// W2: <paramref name="count"/> lines of 8 to 12 words separated by single spaces, each word drawn from a
    /// vocabulary of <paramref name="vocabularySize"/> words with Zipf-like frequencies (rank r has weight 1/r).
    /// </summary>
    public static string[] Lines(int count, int vocabularySize = 20_000)
    {
        var random = new Random(Seed + 2);
        var vocabulary = Vocabulary(vocabularySize, random);
        var cumulative = new double[vocabularySize];
        var total = 0.0;
        for (var rank = 0; rank < vocabularySize; rank++)
        {
            total += 1.0 / (rank + 1);
            cumulative[rank] = total;
        }

        var lines = new string[count];
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < lines.Length; i++)
        {
            builder.Clear();
            var words = random.Next(8, 13);
            for (var w = 0; w < words; w++)
            {
                if (w > 0)
                {
                    builder.Append(' ');
                }

                var index = Array.BinarySearch(cumulative, random.NextDouble() * total);
                builder.Append(vocabulary[Math.Min(index < 0 ? ~index : index, vocabularySize - 1)]);
            }

            lines[i] = builder.ToString();
        }

        return lines;
    }

    /// <summary>
    /// W3 and W5: <paramref name="batches"/> batches of <paramref name="perBatch"/> (key, 1) pairs, keys drawn
    /// uniformly from [0, <paramref name="keys"/>).
    /// </summary>
    public static (int Key, int Value)[][] KeyedOnes(int batches, int perBatch, int keys, int salt = 0)
    {
        var random = new Random(Seed + 3 + salt);
        var result = new (int Key, int Value)[batches][];
        for (var b = 0; b < batches; b++)
        {
            var batch = new (int Key, int Value)[perBatch];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = (random.Next(keys), 1);
            }

            result[b] = batch;
        }

        return result;
    }

    /// <summary>W4: <paramref name="count"/> (key, value) pairs, keys uniform in [0, <paramref name="keys"/>), values in [1, 100].</summary>
    public static (int Key, int Value)[] KeyedValues(int count, int keys, int salt)
    {
        var random = new Random(Seed + 4 + salt);
        var pairs = new (int Key, int Value)[count];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = (random.Next(keys), random.Next(1, 101));
        }

        return pairs;
    }

    /// <summary>Distinct lower-case pseudo-words of 2 to 9 letters.</summary>
    private static string[] Vocabulary(int size, Random random)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var words = new string[size];
        Span<char> letters = stackalloc char[9];
        var count = 0;
        while (count < size)
        {
            var length = random.Next(2, 10);
            for (var i = 0; i < length; i++)
            {
                letters[i] = (char)('a' + random.Next(26));
            }

            var word = new string(letters[..length]);
            if (seen.Add(word))
            {
                words[count++] = word;
            }
        }

        return words;
    }
}
