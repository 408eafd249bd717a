using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Pipelines.Sources;

/// <summary>
/// Which folder entries <c>TextFileStream</c> reads: regular files only (a FIFO, a device or a socket would block
/// or never end; a symbolic link only with <see cref="StreamingOptions.FollowSymbolicLinks"/>), no larger than
/// <see cref="StreamingOptions.MaxFileSize"/>, with a name that can be opened. Any other entry is reported once
/// (a warning or error naming it and why) and never tried again while it stays in the folder.
/// </summary>
internal sealed partial class FileInputDStream
{
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="name"/> may be read; reports it once when not. Called under the lock.</summary>
    private bool IsEligible(string name)
    {
        if (_reported.Contains(name))
        {
            return false;
        }

        var problem = FindProblem(name, out var level);
        if (problem is null)
        {
            return true;
        }

        _reported.Add(name);
        _logger.Log(level, "TextFileStream skips {File} in {Directory}: {Problem}. It is not tried again while it stays in the folder", name, Directory, problem);
        return false;
    }

    /// <summary>Forgets reports about entries that left the folder (a new entry of that name is checked again). Called under the lock.</summary>
    private void ForgetReportsOfRemoved(HashSet<string> present) => _reported.IntersectWith(present);

    private string? FindProblem(string name, out LogLevel level)
    {
        level = LogLevel.Warning;
        if (name.Contains('\uFFFD', StringComparison.Ordinal))
        {
            // .NET decodes file names as UTF-8; a name that is not valid UTF-8 cannot be opened by the decoded name.
            return "its name is not valid UTF-8, so it cannot be opened by name; rename it (e.g. convmv) to read it";
        }

        var path = Path.Combine(Directory, name);
        var kind = FileKinds.Of(path, followLinks: false);
        if (kind == FileKind.SymbolicLink)
        {
            if (!Context.Options.FollowSymbolicLinks)
            {
                return "it is a symbolic link, and StreamingOptions.FollowSymbolicLinks is off";
            }

            kind = FileKinds.Of(path, followLinks: true);
        }

        switch (kind)
        {
            case FileKind.Missing:
                return null; // gone since the listing (or a dangling link): the read reports nothing and the name leaves the listing
            case FileKind.Regular or FileKind.Unknown:
                break;
            default:
                return $"it is not a regular file but a {kind.ToString().ToLowerInvariant()} (reading it could block batch generation)";
        }

        long length;
        try
        {
            length = new FileInfo(path).Length;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null; // the read reports it
        }

        if (length > Context.Options.MaxFileSize)
        {
            level = LogLevel.Error;
            return $"it is {length} bytes, more than StreamingOptions.MaxFileSize ({Context.Options.MaxFileSize} bytes)";
        }

        return null;
    }
}

/// <summary>The type of a folder entry.</summary>
internal enum FileKind
{
    Unknown,
    Missing,
    Regular,
    Directory,
    SymbolicLink,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
}

/// <summary>
/// The type of a file (<c>st_mode &amp; S_IFMT</c>), which .NET does not expose: <c>statx</c> on Linux (its result
/// layout is the same on every architecture). Elsewhere only symbolic links are told apart (<see cref="FileKind.Unknown"/>).
/// </summary>
internal static class FileKinds
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxBufferSize = 256;
    private const int ModeOffset = 28;
    private static bool s_statxMissing;

    public static FileKind Of(string path, bool followLinks)
    {
        if (OperatingSystem.IsLinux() && !Volatile.Read(ref s_statxMissing))
        {
            var buffer = new byte[StatxBufferSize];
            try
            {
                if (Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType, buffer) != 0)
                {
                    return FileKind.Missing;
                }
            }
            catch (Exception error) when (error is EntryPointNotFoundException or DllNotFoundException)
            {
                Volatile.Write(ref s_statxMissing, true);
                return Fallback(path, followLinks);
            }

            var mode = BitConverter.ToUInt16(buffer, ModeOffset) & 0xF000;
            return mode switch
            {
                0x8000 => FileKind.Regular,
                0x4000 => FileKind.Directory,
                0xA000 => FileKind.SymbolicLink,
                0x1000 => FileKind.Fifo,
                0x2000 => FileKind.CharacterDevice,
                0x6000 => FileKind.BlockDevice,
                0xC000 => FileKind.Socket,
                _ => FileKind.Unknown,
            };
        }

        return Fallback(path, followLinks);
    }

    private static FileKind Fallback(string path, bool followLinks)
    {
        var info = new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null)
        {
            return FileKind.Missing;
        }

        return !followLinks && info.LinkTarget is not null ? FileKind.SymbolicLink : FileKind.Unknown;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
}
