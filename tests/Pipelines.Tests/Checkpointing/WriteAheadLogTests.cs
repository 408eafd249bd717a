using System.Text;
using Pipelines.Checkpointing;

namespace Pipelines.Tests.Checkpointing;

public sealed class WriteAheadLogTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly WarningCollector _warnings = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Appended_blocks_read_back_in_order_by_sequence_range()
    {
        using var log = new WriteAheadLog(_folder.Path, 64, _warnings);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(i, log.Append(Encoding.UTF8.GetBytes($"block {i}")));
        }

        var read = log.Read(3, 7);

        Assert.Equal([3L, 4, 5, 6], read.Select(r => r.Sequence));
        Assert.Equal("block 5", Encoding.UTF8.GetString(read[2].Payload));
        Assert.True(log.SegmentCount > 1);
    }

    [Fact]
    public void Reopening_continues_the_sequence_and_cuts_a_torn_last_record()
    {
        using (var log = new WriteAheadLog(_folder.Path, 1 << 20, _warnings))
        {
            log.Append("a"u8);
            log.Append("b"u8);
        }

        var segment = Directory.GetFiles(_folder.Path, "segment-*.wal").Single();
        using (var stream = new FileStream(segment, FileMode.Append))
        {
            stream.Write([9, 0, 0, 0, 1, 2]);
        }

        using var reopened = new WriteAheadLog(_folder.Path, 1 << 20, _warnings);

        Assert.Equal(2, reopened.NextSequence);
        Assert.Contains(_warnings.Warnings, w => w.Contains("torn", StringComparison.Ordinal));
        Assert.Equal(2, reopened.Append("c"u8));
        Assert.Equal(["a", "b", "c"], reopened.Read(0, 3).Select(r => Encoding.UTF8.GetString(r.Payload)));
    }

    [Fact]
    public void Trimming_keeps_disk_use_bounded_while_blocks_keep_arriving()
    {
        using var log = new WriteAheadLog(_folder.Path, 1024, _warnings);
        var payload = new byte[100];
        long peak = 0;
        for (var batch = 0; batch < 200; batch++)
        {
            for (var i = 0; i < 5; i++)
            {
                log.Append(payload);
            }

            // Batches complete and checkpoints retain the last few: everything older than 3 batches goes.
            log.TrimBefore(Math.Max(0, log.NextSequence - 15));
            peak = Math.Max(peak, log.DiskBytes);
        }

        Assert.Equal(1000, log.NextSequence);
        Assert.True(peak <= 3 * 1024, $"The log peaked at {peak} bytes; the trim should keep it within three 1 KiB segments.");
        Assert.Equal(15, log.Read(log.NextSequence - 15, log.NextSequence).Count);
    }

    [Fact]
    public void Trimming_never_deletes_a_block_at_or_after_the_trim_point()
    {
        using var log = new WriteAheadLog(_folder.Path, 50, _warnings);
        for (var i = 0; i < 20; i++)
        {
            log.Append(Encoding.UTF8.GetBytes($"{i:D2}"));
        }

        log.TrimBefore(13);

        var kept = log.Read(0, 20).Select(r => r.Sequence).ToArray();
        Assert.Equal(Enumerable.Range(13, 7).Select(i => (long)i), kept.Where(s => s >= 13));
        Assert.True(kept.Length < 20);
    }

    [Fact]
    public void Reopening_after_every_block_was_trimmed_continues_the_sequence()
    {
        // A quiet input: every block is in a batch no retained checkpoint needs, so the trim point is the next
        // sequence. The numbering must survive a restart, or the checkpoint's position (5) would lie beyond the
        // reopened log's next sequence and the blocks acknowledged after the restart would be in no batch's range.
        using (var log = new WriteAheadLog(_folder.Path, 1 << 20, _warnings))
        {
            for (var i = 0; i < 5; i++)
            {
                log.Append("x"u8);
            }

            log.TrimBefore(log.NextSequence);
            Assert.Empty(log.Read(0, 5));
        }

        using var reopened = new WriteAheadLog(_folder.Path, 1 << 20, _warnings);

        Assert.Equal(5, reopened.NextSequence);
        Assert.Equal(5, reopened.Append("y"u8));
        Assert.Equal(["y"], reopened.Read(5, 6).Select(r => Encoding.UTF8.GetString(r.Payload)));
    }

    [Fact]
    public void A_checkpoint_position_beyond_the_log_continues_the_numbering_there()
    {
        using (var log = new WriteAheadLog(_folder.Path, 1 << 20, _warnings))
        {
            log.Append("a"u8);
        }

        foreach (var segment in Directory.GetFiles(_folder.Path, "segment-*.wal"))
        {
            File.Delete(segment);
        }

        using var reopened = new WriteAheadLog(_folder.Path, 1 << 20, _warnings);
        reopened.ContinueFrom(7);

        Assert.Equal(7, reopened.Append("b"u8));
        Assert.Contains(_warnings.Warnings, w => w.Contains("outside Pipelines", StringComparison.Ordinal));
        using var again = new WriteAheadLog(_folder.Path, 1 << 20, _warnings);
        Assert.Equal(8, again.NextSequence);
    }
}
