using System.Runtime.CompilerServices;

namespace Pipelines.Generators.Tests.Support;

/// <summary>
/// Compares generated source with a checked-in snapshot <c>Snapshots/&lt;Test&gt;.&lt;HintName&gt;.verified.cs</c>.
/// A mismatch fails and writes <c>.received.cs</c> beside it; <c>ACCEPT_SNAPSHOTS=1</c> writes the snapshot instead.
/// </summary>
internal static class Snapshot
{
    public static void Verify(string actual, string hintName, [CallerMemberName] string test = "", [CallerFilePath] string callerFile = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        var stem = Path.Combine(folder, $"{test}.{Path.GetFileNameWithoutExtension(hintName)}");
        var verified = stem + ".verified.cs";
        var received = stem + ".received.cs";
        actual = actual.Replace("\r\n", "\n");
        if (Environment.GetEnvironmentVariable("ACCEPT_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verified}; review {received} and rerun with ACCEPT_SNAPSHOTS=1 to accept it."
            : $"Generated source differs from {verified}; see {received} (rerun with ACCEPT_SNAPSHOTS=1 to accept).");
    }
}
