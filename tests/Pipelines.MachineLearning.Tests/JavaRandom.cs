namespace Pipelines.MachineLearning.Tests;

/// <summary>
/// <c>java.util.Random</c> (the 48-bit LCG, <c>nextDouble</c>, <c>nextGaussian</c>) so the test data are the
/// numbers MLlib's suites draw (<c>scala.util.Random(seed)</c>); <see cref="XorShift"/> is Spark's
/// <c>XORShiftRandom</c>.
/// </summary>
internal class JavaRandom
{
    private const long Multiplier = 0x5DEECE66DL;
    private const long Mask = (1L << 48) - 1;
    private long _seed;
    private double _nextNextGaussian;
    private bool _haveNextNextGaussian;

    public JavaRandom(long seed) => _seed = (seed ^ Multiplier) & Mask;

    protected virtual int Next(int bits)
    {
        _seed = ((_seed * Multiplier) + 0xBL) & Mask;
        return (int)(_seed >>> (48 - bits));
    }

    public double NextDouble() => (((long)Next(26) << 27) + Next(27)) * (1.0 / (1L << 53));

    public double NextGaussian()
    {
        if (_haveNextNextGaussian)
        {
            _haveNextNextGaussian = false;
            return _nextNextGaussian;
        }

        double v1, v2, s;
        do
        {
            v1 = (2 * NextDouble()) - 1;
            v2 = (2 * NextDouble()) - 1;
            s = (v1 * v1) + (v2 * v2);
        }
        while (s >= 1 || s == 0);

        var multiplier = Math.Sqrt(-2 * Math.Log(s) / s);
        _nextNextGaussian = v2 * multiplier;
        _haveNextNextGaussian = true;
        return v1 * multiplier;
    }

    /// <summary>Spark's <c>XORShiftRandom</c>: the seed hashed with MurmurHash3, then xorshift steps.</summary>
    public sealed class XorShift(long seed) : JavaRandom(seed)
    {
        private long _state = HashSeed(seed);

        protected override int Next(int bits)
        {
            var next = _state ^ (_state << 21);
            next ^= next >>> 35;
            next ^= next << 4;
            _state = next;
            return (int)(next & ((1L << bits) - 1));
        }

        private static long HashSeed(long seed)
        {
            var bytes = BitConverter.GetBytes(seed);
            if (BitConverter.IsLittleEndian)
            {
                Array.Reverse(bytes); // ByteBuffer.putLong is big-endian.
            }

            var low = BytesHash(bytes, 0x3c074a61);
            var high = BytesHash(bytes, low);
            return ((long)high << 32) | (low & 0xFFFFFFFFL);
        }

        // scala.util.hashing.MurmurHash3.bytesHash
        private static int BytesHash(byte[] data, int seed)
        {
            var h = seed;
            var i = 0;
            var length = data.Length;
            while (length >= 4)
            {
                var k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
                h = Mix(h, k);
                i += 4;
                length -= 4;
            }

            var tail = 0;
            if (length == 3)
            {
                tail ^= data[i + 2] << 16;
            }

            if (length >= 2)
            {
                tail ^= data[i + 1] << 8;
            }

            if (length >= 1)
            {
                tail ^= data[i];
                h = MixLast(h, tail);
            }

            return Avalanche(h ^ data.Length);
        }

        private static int MixLast(int hash, int data)
        {
            var k = unchecked(data * (int)0xcc9e2d51);
            k = (int)uint.RotateLeft((uint)k, 15);
            k = unchecked(k * 0x1b873593);
            return hash ^ k;
        }

        private static int Mix(int hash, int data)
        {
            var h = MixLast(hash, data);
            h = (int)uint.RotateLeft((uint)h, 13);
            return unchecked((h * 5) + (int)0xe6546b64);
        }

        private static int Avalanche(int hash)
        {
            var h = hash;
            h ^= h >>> 16;
            h = unchecked(h * (int)0x85ebca6b);
            h ^= h >>> 13;
            h = unchecked(h * (int)0xc2b2ae35);
            h ^= h >>> 16;
            return h;
        }
    }
}
