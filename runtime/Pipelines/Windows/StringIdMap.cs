using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipelines.Windows;

/// <summary>
/// The string keys of a window's table and their ids: an open-addressing hash table (linear probing, at most half
/// full, deletion by backward shift) whose entries hold the key's hash, its id and the key itself side by side, so
/// a lookup by a character span usually reads one cache line and compares one string. It replaces a
/// <see cref="Dictionary{TKey, TValue}"/> with an alternate lookup on the hot path of a fused word count, where the
/// dictionary's comparer is called through an interface for every word.
/// </summary>
/// <remarks>
/// The hash is seeded once per process at random, so a chosen set of keys cannot be made to collide in every run.
/// Not thread-safe: one window's table is used by one thread at a time.
/// </remarks>
internal sealed class StringIdMap
{
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64() | 1;

    private Entry[] _entries = new Entry[32];
    private int _mask = 31;
    private int _count;

    /// <summary>The number of keys.</summary>
    public int Count => _count;

    /// <summary>The id of <paramref name="key"/>, or -1 when it is not in the map.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ReadOnlySpan<char> key) => Find(key, Hash(key));

    /// <summary>The id of <paramref name="key"/> whose <see cref="Hash"/> is <paramref name="hash"/>, or -1.</summary>
    public int Find(ReadOnlySpan<char> key, int hash)
    {
        var entries = _entries;
        var mask = _mask;
        var index = hash & mask;
        while (true)
        {
            ref var entry = ref entries[index];
            if (entry.Key is null)
            {
                return -1;
            }

            if (entry.Hash == hash && key.SequenceEqual(entry.Key))
            {
                return entry.Id;
            }

            index = (index + 1) & mask;
        }
    }

    /// <summary>Adds <paramref name="key"/> (not in the map yet) with <paramref name="id"/>.</summary>
    public void Add(string key, int id) => Add(key, id, Hash(key));

    /// <summary>Adds <paramref name="key"/> (not in the map yet) with <paramref name="id"/>, its <see cref="Hash"/> given.</summary>
    public void Add(string key, int id, int hash)
    {
        if ((_count + 1) * 2 > _entries.Length)
        {
            Resize(_entries.Length * 2);
        }

        Insert(_entries, _mask, key, id, hash);
        _count++;
    }

    /// <summary>Removes <paramref name="key"/>; false when it was not in the map.</summary>
    public bool Remove(string key)
    {
        var hash = Hash(key);
        var entries = _entries;
        var mask = _mask;
        var index = hash & mask;
        while (true)
        {
            ref var entry = ref entries[index];
            if (entry.Key is null)
            {
                return false;
            }

            if (entry.Hash == hash && string.Equals(entry.Key, key, StringComparison.Ordinal))
            {
                break;
            }

            index = (index + 1) & mask;
        }

        // Backward-shift deletion: move later entries of the probe run into the hole when their home slot allows.
        var hole = index;
        var next = (hole + 1) & mask;
        while (entries[next].Key is not null)
        {
            var home = entries[next].Hash & mask;
            if (((next - home) & mask) >= ((next - hole) & mask))
            {
                entries[hole] = entries[next];
                hole = next;
            }

            next = (next + 1) & mask;
        }

        entries[hole] = default;
        _count--;
        return true;
    }

    /// <summary>Removes every key, keeping the capacity.</summary>
    public void Clear()
    {
        Array.Clear(_entries);
        _count = 0;
    }

    /// <summary>The map's hash of <paramref name="key"/> (seeded per process).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Hash(ReadOnlySpan<char> key)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15UL;
        var bytes = MemoryMarshal.AsBytes(key);
        ref var start = ref MemoryMarshal.GetReference(bytes);
        var length = bytes.Length;
        var hash = Seed ^ ((ulong)length * Multiplier);
        var offset = 0;
        for (; offset + 8 <= length; offset += 8)
        {
            hash = BitOperations.RotateLeft((hash ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, offset))) * Multiplier, 29);
        }

        if (offset < length)
        {
            // 2, 4 or 6 bytes left (whole chars): read them into one word.
            ulong tail = 0;
            for (var i = length - 2; i >= offset; i -= 2)
            {
                tail = (tail << 16) | Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, i));
            }

            hash = BitOperations.RotateLeft((hash ^ tail) * Multiplier, 29);
        }

        hash ^= hash >> 32;
        hash *= Multiplier;
        hash ^= hash >> 29;
        return (int)hash;
    }

    private void Resize(int size)
    {
        var entries = new Entry[size];
        var mask = size - 1;
        foreach (ref var entry in _entries.AsSpan())
        {
            if (entry.Key is not null)
            {
                Insert(entries, mask, entry.Key, entry.Id, entry.Hash);
            }
        }

        _entries = entries;
        _mask = mask;
    }

    private static void Insert(Entry[] entries, int mask, string key, int id, int hash)
    {
        var index = hash & mask;
        while (entries[index].Key is not null)
        {
            index = (index + 1) & mask;
        }

        entries[index] = new Entry(hash, id, key);
    }

    private readonly record struct Entry(int Hash, int Id, string? Key);
}
