using System.Runtime.InteropServices;

namespace Pipelines;

/// <summary>
/// Flushes a folder's entries to disk (<c>fsync</c> on the folder), so that a rename survives a power loss.
/// Only on Unix-like systems; elsewhere the rename is already durable or the call is not available.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int descriptor;
        try
        {
            descriptor = Open(directory, ReadOnly);
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return;
        }

        if (descriptor < 0)
        {
            return;
        }

        try
        {
            _ = FSync(descriptor);
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [DllImport("libc", EntryPoint = "open", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync")]
    private static extern int FSync(int descriptor);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int descriptor);
}
