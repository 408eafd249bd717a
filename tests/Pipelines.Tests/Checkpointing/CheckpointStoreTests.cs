using System.Text;
using Microsoft.Extensions.Logging;
using Pipelines.Checkpointing;

namespace Pipelines.Tests.Checkpointing;

public sealed class CheckpointStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly WarningCollector _warnings = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_written_checkpoint_reads_back_byte_for_byte()
    {
        var store = NewStore();
        store.Write(new BatchTime(1000), "{\"a\":1}"u8);

        var loaded = store.LoadNewest(Encoding.UTF8.GetString);

        Assert.NotNull(loaded);
        Assert.Equal(new BatchTime(1000), loaded.Value.Time);
        Assert.Equal("{\"a\":1}", loaded.Value.Value);
        Assert.Empty(_warnings.Warnings);
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp"));
    }

    [Fact]
    public void Only_the_configured_number_of_newest_checkpoints_is_kept()
    {
        var store = NewStore(retained: 2);
        for (var i = 1; i <= 5; i++)
        {
            store.Write(new BatchTime(i * 1000), Encoding.UTF8.GetBytes($"{i}"));
        }

        Assert.Equal([new BatchTime(5000), new BatchTime(4000)], store.List().Select(f => f.Time));
    }

    [Fact]
    public void A_truncated_newest_checkpoint_is_skipped_with_a_warning_and_the_previous_one_is_used()
    {
        var store = WriteThree();
        var newest = store.List()[0].Path;
        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes[..(bytes.Length - 3)]);

        var loaded = store.LoadNewest(Encoding.UTF8.GetString);

        Assert.Equal("second", loaded!.Value.Value);
        Assert.Contains(_warnings.Warnings, w => w.Contains(Path.GetFileName(newest), StringComparison.Ordinal) && w.Contains("truncated", StringComparison.Ordinal));
    }

    [Fact]
    public void A_newest_checkpoint_with_a_flipped_byte_fails_its_checksum_and_the_previous_one_is_used()
    {
        var store = WriteThree();
        var newest = store.List()[0].Path;
        var bytes = File.ReadAllBytes(newest);
        bytes[18] ^= 0x20;
        File.WriteAllBytes(newest, bytes);

        var loaded = store.LoadNewest(Encoding.UTF8.GetString);

        Assert.Equal("second", loaded!.Value.Value);
        Assert.Contains(_warnings.Warnings, w => w.Contains("checksum", StringComparison.Ordinal));
    }

    [Fact]
    public void A_newest_checkpoint_of_an_unknown_format_version_is_skipped_and_the_previous_one_is_used()
    {
        var store = WriteThree();
        var newest = store.List()[0].Path;
        using (var stream = File.Create(newest))
        {
            CheckpointFile.Write(stream, "third"u8, version: CheckpointFile.CurrentVersion + 1);
        }

        var loaded = store.LoadNewest(Encoding.UTF8.GetString);

        Assert.Equal("second", loaded!.Value.Value);
        Assert.Contains(_warnings.Warnings, w => w.Contains("format version 2", StringComparison.Ordinal));
    }

    [Fact]
    public void When_no_checkpoint_is_usable_the_error_lists_every_file_and_what_to_do()
    {
        var store = WriteThree();
        foreach (var (_, path) in store.List())
        {
            File.WriteAllBytes(path, [1, 2, 3]);
        }

        var error = Assert.Throws<CheckpointException>(() => store.LoadNewest(Encoding.UTF8.GetString));

        Assert.Contains("No usable checkpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("checkpoint-3000.bin", error.Message, StringComparison.Ordinal);
        Assert.Contains("checkpoint-1000.bin", error.Message, StringComparison.Ordinal);
        Assert.Contains("DiscardIncompatible", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_payload_the_reader_rejects_counts_as_damaged_and_falls_back()
    {
        var store = NewStore();
        store.Write(new BatchTime(1000), "{\"timeMs\":1}"u8);
        store.Write(new BatchTime(2000), "not json"u8);

        var loaded = store.LoadNewest(payload => System.Text.Json.JsonDocument.Parse(payload).RootElement.GetProperty("timeMs").GetInt64());

        Assert.Equal(1, loaded!.Value.Value);
        Assert.Single(_warnings.Warnings);
    }

    [Fact]
    public void A_missing_folder_holds_no_checkpoint()
    {
        var store = new CheckpointStore(_folder.Combine("does-not-exist"), 3, Logger());

        Assert.Null(store.LoadNewest(Encoding.UTF8.GetString));
        Assert.Empty(store.List());
    }

    [Fact]
    public void A_folder_path_that_is_a_file_is_reported_as_unwritable()
    {
        var file = _folder.Combine("a-file");
        File.WriteAllText(file, "not a folder");
        var store = new CheckpointStore(file, 3, Logger());

        var error = Assert.Throws<CheckpointException>(store.EnsureWritable);

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be written", error.Message, StringComparison.Ordinal);
        Assert.Equal("not a folder", File.ReadAllText(file));
    }

    [Fact]
    public void A_failed_write_leaves_the_existing_checkpoints_intact()
    {
        var store = WriteThree();
        Directory.CreateDirectory(_folder.Combine("checkpoint-4000.bin"));

        var error = Assert.Throws<CheckpointException>(() => store.Write(new BatchTime(4000), "fourth"u8));

        Assert.Contains("untouched", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp", SearchOption.AllDirectories));
        Directory.Delete(_folder.Combine("checkpoint-4000.bin"));
        Assert.Equal("third", store.LoadNewest(Encoding.UTF8.GetString)!.Value.Value);
        Assert.Equal(3, store.List().Count);
    }

    [Fact]
    public void Temporary_files_left_by_interrupted_writes_are_removed_and_never_read()
    {
        var store = WriteThree();
        File.WriteAllText(_folder.Combine(".checkpoint-4000.bin.0123.tmp"), "half a checkpoint");
        File.WriteAllText(_folder.Combine(".batches.journal.0123.tmp"), "half a journal");

        Assert.Equal(new BatchTime(3000), store.LoadNewest(Encoding.UTF8.GetString)!.Value.Time);
        store.EnsureWritable();

        Assert.Empty(Directory.GetFiles(_folder.Path, ".*"));
        Assert.Equal(3, store.List().Count);
    }

    [Fact]
    public void The_journal_ignores_a_torn_last_record()
    {
        var journal = new BatchJournal(_folder.Path, Logger());
        journal.Append("{\"time\":1000,\"inputs\":{}}"u8);
        journal.Append("{\"time\":2000,\"inputs\":{}}"u8);
        journal.Dispose();
        var bytes = File.ReadAllBytes(journal.Path);
        File.WriteAllBytes(journal.Path, bytes[..(bytes.Length - 4)]);

        var entries = journal.ReadAll();

        Assert.Equal([new BatchTime(1000)], entries.Select(e => e.Time));
        Assert.Contains(_warnings.Warnings, w => w.Contains("torn", StringComparison.Ordinal));
    }

    [Fact]
    public void Trimming_the_journal_keeps_only_later_batches()
    {
        var journal = new BatchJournal(_folder.Path, Logger());
        for (var i = 1; i <= 5; i++)
        {
            journal.Append(Encoding.UTF8.GetBytes($"{{\"time\":{i * 1000},\"inputs\":{{}}}}"));
        }

        journal.TrimThrough(new BatchTime(3000));
        journal.Append("{\"time\":6000,\"inputs\":{}}"u8);
        journal.Dispose();

        Assert.Equal([new BatchTime(4000), new BatchTime(5000), new BatchTime(6000)], journal.ReadAll().Select(e => e.Time));
    }

    private CheckpointStore WriteThree()
    {
        var store = NewStore();
        store.Write(new BatchTime(1000), "first"u8);
        store.Write(new BatchTime(2000), "second"u8);
        store.Write(new BatchTime(3000), "third"u8);
        return store;
    }

    private CheckpointStore NewStore(int retained = 3) => new(_folder.Path, retained, Logger());

    private ILogger Logger() => _warnings;
}
