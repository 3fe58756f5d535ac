using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace Cnn.Dsl.Tests.Snapshots;

/// <summary>
/// Snapshot assertions with Verify's file names, so Verify.SourceGenerators can replace this
/// helper when it can be restored: <c>&lt;Class&gt;.&lt;Method&gt;.verified.cs</c> next to the
/// test file holds the accepted text; on a mismatch the actual text goes to
/// <c>&lt;Class&gt;.&lt;Method&gt;.received.cs</c> and the test fails with a line diff. Texts
/// compare after normalizing line endings. Snapshots are rewritten only when the environment
/// variable <c>CNN_ACCEPT_SNAPSHOTS=1</c> is set, never silently.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "CNN_ACCEPT_SNAPSHOTS";

    /// <summary>
    /// Compares <paramref name="actual"/> with the verified snapshot of the calling test. The
    /// class name is the test file's name (one test class per file, as everywhere here).
    /// </summary>
    public static void Verify(string actual, [CallerFilePath] string testFile = "", [CallerMemberName] string testMethod = "") =>
        Verify(actual, Path.GetDirectoryName(testFile)!, Path.GetFileNameWithoutExtension(testFile) + "." + testMethod,
            Environment.GetEnvironmentVariable(AcceptVariable) == "1");

    /// <summary>Compares against <c>&lt;directory&gt;/&lt;name&gt;.verified.cs</c>; the testable core of <see cref="Verify(string, string, string)"/>.</summary>
    internal static void Verify(string actual, string directory, string name, bool accept)
    {
        var verifiedPath = Path.Combine(directory, name + ".verified.cs");
        var receivedPath = Path.Combine(directory, name + ".received.cs");
        actual = LineDiff.Normalize(actual);
        var verified = File.Exists(verifiedPath) ? LineDiff.Normalize(File.ReadAllText(verifiedPath)) : null;

        if (verified == actual)
        {
            File.Delete(receivedPath);
            return;
        }
        if (accept)
        {
            File.WriteAllText(verifiedPath, actual);
            File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, actual);
        var message = verified is null
            ? $"No snapshot {verifiedPath} yet; the output is in {receivedPath}.\n" +
              $"Review it, then rename it to .verified.cs or rerun with {AcceptVariable}=1."
            : $"Snapshot {verifiedPath} differs from the output (written to {receivedPath}):\n" +
              LineDiff.Format(verified, actual) +
              $"If the change is intended, rerun with {AcceptVariable}=1 to accept it.";
        throw new SnapshotMismatchException(message);
    }
}

/// <summary>The output differs from its verified snapshot (or there is none).</summary>
internal sealed class SnapshotMismatchException(string message) : Exception(message);
