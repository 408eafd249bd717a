using Pipelines.Windows;

namespace Pipelines.Tests.Windows;

/// <summary>The string-key map of the window table against a <see cref="Dictionary{TKey, TValue}"/>, through adds, lookups by span and removals.</summary>
public sealed class StringIdMapTests
{
    [Fact]
    public void Random_adds_and_removals_agree_with_a_dictionary()
    {
        var random = new Random(1234);
        var map = new StringIdMap();
        var model = new Dictionary<string, int>(StringComparer.Ordinal);
        var nextId = 0;

        // Few distinct keys against many operations: long probe runs, removals in the middle of runs, regrowth.
        for (var step = 0; step < 200_000; step++)
        {
            var key = "k" + random.Next(0, step < 100_000 ? 3_000 : 300);
            var roll = random.Next(3);
            if (roll < 2)
            {
                var found = map.Find(key.AsSpan());
                if (model.TryGetValue(key, out var id))
                {
                    Assert.Equal(id, found);
                }
                else
                {
                    Assert.Equal(-1, found);
                    map.Add(key, nextId);
                    model.Add(key, nextId++);
                }
            }
            else
            {
                Assert.Equal(model.Remove(key), map.Remove(key));
            }

            Assert.Equal(model.Count, map.Count);
        }

        foreach (var (key, id) in model)
        {
            Assert.Equal(id, map.Find(key.AsSpan()));
        }

        for (var i = 0; i < 3_000; i++)
        {
            var key = "k" + i;
            Assert.Equal(model.TryGetValue(key, out var id) ? id : -1, map.Find(key.AsSpan()));
        }
    }

    [Fact]
    public void Lookups_by_a_slice_of_a_longer_string_find_the_key_and_every_length_hashes_its_whole_span()
    {
        var map = new StringIdMap();
        var words = new[] { "", "a", "ab", "abc", "abcd", "abcde", "abcdefgh", "abcdefghi", "ba", "abdc" };
        for (var i = 0; i < words.Length; i++)
        {
            map.Add(words[i], i);
        }

        var line = "xx abcd abcdefghi yy";
        Assert.Equal(4, map.Find(line.AsSpan(3, 4)));
        Assert.Equal(7, map.Find(line.AsSpan(8, 9)));
        Assert.Equal(0, map.Find(line.AsSpan(0, 0)));
        Assert.Equal(-1, map.Find("abcdefg".AsSpan()));
        Assert.Equal(-1, map.Find("abce".AsSpan()));
        for (var i = 0; i < words.Length; i++)
        {
            Assert.Equal(i, map.Find(words[i].AsSpan()));
        }

        Assert.True(map.Remove("abc"));
        Assert.False(map.Remove("abc"));
        Assert.Equal(-1, map.Find("abc".AsSpan()));
        Assert.Equal(words.Length - 1, map.Count);
        map.Clear();
        Assert.Equal(0, map.Count);
        Assert.Equal(-1, map.Find("a".AsSpan()));
    }
}
