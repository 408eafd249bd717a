using Pipelines.Sources;
using Pipelines.Testing;
using Pipelines.Tests.Receivers;

namespace Pipelines.Tests.Sources;

public sealed class TextFileStreamTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pipelines-files-" + Guid.NewGuid().ToString("N"));
    private readonly string _incoming;
    private readonly string _staging;

    public TextFileStreamTests()
    {
        _incoming = Directory.CreateDirectory(Path.Combine(_root, "incoming")).FullName;
        _staging = Directory.CreateDirectory(Path.Combine(_root, "staging")).FullName;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Files_moved_in_after_start_are_read_once_in_the_batch_that_first_sees_them()
    {
        File.WriteAllLines(Path.Combine(_incoming, "old.txt"), ["present before start"]);
        await using var ssc = NewContext();
        var stream = ssc.TextFileStream(_incoming);
        var collected = new Collector<string>(stream);
        ssc.Remember(TimeSpan.FromSeconds(10));
        ssc.Start();

        MoveIn("a.txt", "a1", "a2");
        var t1 = await ssc.StepAsync();
        var t2 = await ssc.StepAsync();
        MoveIn("c.txt", "c1");
        MoveIn("b.txt", "b1", "héllo ✓");
        var t3 = await ssc.StepAsync();
        File.AppendAllLines(Path.Combine(_incoming, "a.txt"), ["a3 appended later"]);
        var t4 = await ssc.StepAsync();

        Assert.Equal(["a1", "a2"], collected.At(t1));
        Assert.Empty(collected.At(t2));
        Assert.Equal(["b1", "héllo ✓", "c1"], collected.At(t3));
        Assert.Empty(collected.At(t4));
        var input = Assert.IsType<FileInputDStream>(stream);
        Assert.Equal(["a.txt"], input.FilesReadAt(t1));
        Assert.Empty(input.FilesReadAt(t2));
        Assert.Equal(["b.txt", "c.txt"], input.FilesReadAt(t3));
        Assert.DoesNotContain("present before start", collected.All);
    }

    [Fact]
    public async Task The_files_of_a_batch_are_forgotten_with_the_batch()
    {
        await using var ssc = NewContext();
        var stream = Assert.IsType<FileInputDStream>(ssc.TextFileStream(_incoming));
        _ = new Collector<string>(stream);
        ssc.Start();

        MoveIn("a.txt", "a");
        var t1 = await ssc.StepAsync();
        var readAtT1 = stream.FilesReadAt(t1);
        await ssc.StepAsync();
        await ssc.StepAsync();

        Assert.Equal(["a.txt"], readAtT1);
        Assert.Empty(stream.FilesReadAt(t1));
        Assert.Equal(["a.txt"], stream.GetState().ReadFiles);
    }

    [Fact]
    public async Task Each_new_file_is_its_own_partition()
    {
        await using var ssc = NewContext();
        var partitions = new List<string[]>();
        ssc.TextFileStream(_incoming).ForEachBatch((batch, _) =>
        {
            for (var i = 0; i < batch.PartitionCount && batch.Count > 0; i++)
            {
                partitions.Add(batch.GetPartition(i).ToArray());
            }
        });
        ssc.Start();

        MoveIn("1.txt", "x", "y");
        MoveIn("2.txt", "z");
        await ssc.StepAsync();

        Assert.Equal([["x", "y"], ["z"]], partitions);
    }

    [Fact]
    public async Task Hidden_and_temporary_files_are_ignored_until_renamed_to_a_plain_name()
    {
        await using var ssc = NewContext();
        var collected = new Collector<string>(ssc.TextFileStream(_incoming));
        ssc.Start();

        File.WriteAllLines(Path.Combine(_incoming, ".hidden"), ["hidden"]);
        File.WriteAllLines(Path.Combine(_incoming, "_SUCCESS"), ["marker"]);
        File.WriteAllLines(Path.Combine(_incoming, "part-1.txt._COPYING_"), ["copying"]);
        File.WriteAllLines(Path.Combine(_incoming, "part-2.TMP"), ["temporary"]);
        Directory.CreateDirectory(Path.Combine(_incoming, "sub"));
        File.WriteAllLines(Path.Combine(_incoming, "sub", "nested.txt"), ["nested"]);
        var t1 = await ssc.StepAsync();
        File.Move(Path.Combine(_incoming, "part-1.txt._COPYING_"), Path.Combine(_incoming, "part-1.txt"));
        var t2 = await ssc.StepAsync();
        var t3 = await ssc.StepAsync();

        Assert.Empty(collected.At(t1));
        Assert.Equal(["copying"], collected.At(t2));
        Assert.Empty(collected.At(t3));
        Assert.Equal(["copying"], collected.All);
    }

    [Fact]
    public async Task A_file_deleted_after_it_was_read_and_moved_in_again_is_a_new_file()
    {
        await using var ssc = NewContext();
        var collected = new Collector<string>(ssc.TextFileStream(_incoming));
        ssc.Start();

        MoveIn("data.txt", "first");
        var t1 = await ssc.StepAsync();
        File.Delete(Path.Combine(_incoming, "data.txt"));
        var t2 = await ssc.StepAsync();
        MoveIn("data.txt", "second");
        var t3 = await ssc.StepAsync();

        Assert.Equal(["first"], collected.At(t1));
        Assert.Empty(collected.At(t2));
        Assert.Equal(["second"], collected.At(t3));
    }

    [Fact]
    public void A_missing_folder_is_a_clear_error_at_start()
    {
        var missing = Path.Combine(_root, "does-not-exist");
        var ssc = NewContext();
        ssc.TextFileStream(missing).Print();

        var error = Assert.Throws<DirectoryNotFoundException>(ssc.Start);

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("Create it before calling Start()", error.Message, StringComparison.Ordinal);
        Assert.Equal(StreamingContextState.Initialized, ssc.State);
    }

    [Fact]
    public async Task The_state_lists_the_files_read_and_a_restored_stream_reads_only_the_others()
    {
        var state = await ReadTwoFilesAndGetStateAsync();
        Assert.Equal(Path.GetFullPath(_incoming), state.Directory);
        Assert.Equal(["a.txt", "b.txt"], state.ReadFiles);
        Assert.Equal([["a.txt"], ["b.txt"]], state.Batches.Select(b => b.Files));
        Assert.Equal([1000L, 2000L], state.Batches.Select(b => b.BatchTimeMs));

        // A file that arrived while the job was down is new after recovery; the ones read are not read again.
        MoveIn("c.txt", "c");
        await using var ssc = NewContext();
        var stream = Assert.IsType<FileInputDStream>(ssc.TextFileStream(_incoming));
        stream.RestoreState(state);
        var collected = new Collector<string>(stream);
        ssc.Start();
        var t1 = await ssc.StepAsync();

        Assert.Equal(["c"], collected.At(t1));
    }

    private async Task<FileStreamState> ReadTwoFilesAndGetStateAsync()
    {
        await using var ssc = NewContext();
        var stream = Assert.IsType<FileInputDStream>(ssc.TextFileStream(_incoming));
        ssc.Remember(TimeSpan.FromSeconds(10));
        _ = new Collector<string>(stream);
        ssc.Start();
        MoveIn("a.txt", "a");
        await ssc.StepAsync();
        MoveIn("b.txt", "b");
        await ssc.StepAsync();
        return stream.GetState();
    }

    private static StreamingContext NewContext() =>
        new(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });

    /// <summary>Writes a file in the staging folder, then moves it into the watched folder, as producers should.</summary>
    private void MoveIn(string name, params string[] lines)
    {
        var staged = Path.Combine(_staging, name);
        File.WriteAllLines(staged, lines);
        File.Move(staged, Path.Combine(_incoming, name));
    }
}
