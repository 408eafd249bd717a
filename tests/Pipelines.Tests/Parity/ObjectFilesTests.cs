using System.Text.Json;
using System.Text.Json.Serialization;
using Pipelines.Testing;
using Pipelines.Tests.Receivers;

namespace Pipelines.Tests.Parity;

public sealed record WordCount(string Word, int Count);

[JsonSerializable(typeof(WordCount))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
internal sealed partial class ParityJson : JsonSerializerContext;

/// <summary>Spark's saveAsObjectFiles as JSON Lines, read back by <see cref="ObjectFiles"/> and <see cref="StreamingContext.ObjectFileStream{T}(string, System.Text.Json.Serialization.Metadata.JsonTypeInfo{T})"/>.</summary>
public sealed class ObjectFilesTests : IDisposable
{
    private readonly string _folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "pipelines-objects-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void SaveAsObjectFiles_writes_one_JSON_Lines_file_per_batch_named_like_SaveAsTextFiles()
    {
        var prefix = Path.Combine(_folder, "counts");
        StreamingTest.Run<string, WordCount>([["a b a"], [], ["c"]], s =>
        {
            var counts = s.FlatMap(l => l.Split(' ')).Map(w => (w, 1)).ReduceByKey((x, y) => x + y).Map(p => new WordCount(p.Item1, p.Item2));
            counts.SaveAsObjectFiles(prefix, ParityJson.Default.WordCount, "jsonl");
            return counts;
        }, numBatches: 3);

        Assert.Equal("{\"Word\":\"a\",\"Count\":2}\n{\"Word\":\"b\",\"Count\":1}\n", File.ReadAllText(prefix + "-1000.jsonl"));
        Assert.Equal(string.Empty, File.ReadAllText(prefix + "-2000.jsonl"));
        Assert.Equal(3, Directory.GetFiles(_folder).Length); // no temporary file left behind

        var saved = ObjectFiles.ReadAll(prefix, ParityJson.Default.WordCount, "jsonl");
        Assert.Equal([1000L, 2000L, 3000L], saved.Select(b => b.Time.Milliseconds));
        Assert.Equal([new WordCount("a", 2), new WordCount("b", 1)], saved[0].Records);
        Assert.Empty(saved[1].Records);
        Assert.Equal([new WordCount("c", 1)], saved[2].Records);
    }

    [Fact]
    public void Reflection_overloads_round_trip_with_options_and_no_suffix()
    {
        var prefix = Path.Combine(_folder, "words");
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
        StreamingTest.Run<int, WordCount>([[1, 2], [3]], s =>
        {
            var records = s.Map(n => new WordCount("n" + n, n));
            records.SaveAsObjectFiles(prefix, options: options);
            return records;
        }, numBatches: 2);

        Assert.StartsWith("{\"word\":\"n1\"", File.ReadAllText(prefix + "-1000"));
        Assert.Equal([new WordCount("n3", 3)], ObjectFiles.ReadFile<WordCount>(prefix + "-2000", options));
        Assert.Equal(2, ObjectFiles.ReadAll<WordCount>(prefix, options: options).Count);
        Assert.Empty(ObjectFiles.ReadAll<WordCount>(prefix, suffix: "jsonl", options: options));
    }

    [Fact]
    public void A_replayed_batch_replaces_its_file()
    {
        var prefix = Path.Combine(_folder, "out");
        StreamingTest.Run<int, int>([[1, 2, 3]], s =>
        {
            s.SaveAsObjectFiles(prefix, ParityJson.Default.Int32);
            return s;
        }, numBatches: 1);
        StreamingTest.Run<int, int>([[9]], s =>
        {
            s.SaveAsObjectFiles(prefix, ParityJson.Default.Int32);
            return s;
        }, numBatches: 1);

        Assert.Equal([9], ObjectFiles.ReadFile(prefix + "-1000", ParityJson.Default.Int32));
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void A_line_that_is_not_JSON_of_the_type_names_the_file_and_line()
    {
        var path = Path.Combine(_folder, "bad-1000");
        File.WriteAllText(path, "1\n\n2\nthree\n");

        var error = Assert.Throws<InvalidDataException>(() => ObjectFiles.ReadFile(path, ParityJson.Default.Int32));

        Assert.Contains("line 4", error.Message);
        Assert.Contains(path, error.Message);
        Assert.Contains("three", error.Message);
    }

    [Fact]
    public async Task ObjectFileStream_reads_saved_object_files_moved_into_its_folder()
    {
        var incoming = Directory.CreateDirectory(Path.Combine(_folder, "incoming")).FullName;
        var staging = Path.Combine(_folder, "staging");
        StreamingTest.Run<int, WordCount>([[1, 2], [3]], s =>
        {
            var records = s.Map(n => new WordCount("w" + n, n));
            records.SaveAsObjectFiles(Path.Combine(staging, "part"), ParityJson.Default.WordCount, "jsonl");
            return records;
        }, numBatches: 2);

        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });
        var stream = ssc.ObjectFileStream(incoming, ParityJson.Default.WordCount);
        var partitions = new List<int>();
        stream.ForEachBatch((batch, _) => partitions.Add(batch.PartitionCount));
        var collected = new Collector<WordCount>(stream);
        ssc.Start();
        foreach (var file in Directory.GetFiles(staging))
        {
            File.Move(file, Path.Combine(incoming, Path.GetFileName(file)));
        }

        var time = await ssc.StepAsync();

        Assert.Equal([new WordCount("w1", 1), new WordCount("w2", 2), new WordCount("w3", 3)], collected.At(time).OrderBy(w => w.Count));
        Assert.Equal([2], partitions); // one partition per file
    }

    [Fact]
    public void ForEachBatch_per_partition_gives_each_partition_once_with_its_index_and_time()
    {
        var seen = new List<string>();
        StreamingTest.Run<int, int>([[1, 2, 3, 4, 5], []], s =>
        {
            s.Repartition(2).ForEachBatch(partition =>
                seen.Add($"{partition.Time.Milliseconds}:{partition.Index}/{partition.PartitionCount}:{string.Join(",", partition.Records)}:{partition.Count}:{partition.Span.Length}"));
            return s;
        }, numBatches: 2);

        Assert.Equal(["1000:0/2:1,3,5:3:3", "1000:1/2:2,4:2:2", "2000:0/2::0:0", "2000:1/2::0:0"], seen);
    }

    [Fact]
    public void ForEachBatch_per_partition_async_awaits_each_partition_in_order()
    {
        var opened = 0;
        var seen = new List<string>();
        StreamingTest.Run<int, int>([[1, 2, 3]], s =>
        {
            s.Repartition(3).ForEachBatch(async (BatchPartition<int> partition, CancellationToken cancellationToken) =>
            {
                var connection = ++opened; // one "connection" per partition
                await Task.Yield();
                seen.Add($"{connection}:{partition.Index}:{partition.Records.Sum()}");
            });
            return s;
        }, numBatches: 1);

        Assert.Equal(["1:0:1", "2:1:2", "3:2:3"], seen);
    }

    [Fact]
    public void A_missing_batch_writes_no_file()
    {
        var prefix = Path.Combine(_folder, "gap");
        StreamingTest.Run<int, int>([[1], null, [3]], s =>
        {
            s.SaveAsObjectFiles(prefix, ParityJson.Default.Int32);
            return s;
        }, numBatches: 3);

        Assert.Equal([1000L, 3000L], ObjectFiles.ReadAll(prefix, ParityJson.Default.Int32).Select(b => b.Time.Milliseconds));
    }
}
