using System;
using System.IO;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;

namespace Cnn.Dsl.Tests.Snapshots;

public sealed class SnapshotTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cnn-snapshots").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Matching_text_passes_whatever_the_line_endings()
    {
        File.WriteAllText(Path.Combine(_directory, "T.M.verified.cs"), "a\r\nb\r\n");

        Snapshot.Verify("a\nb\n", _directory, "T.M", accept: false);

        Assert.False(File.Exists(Path.Combine(_directory, "T.M.received.cs")));
    }

    [Fact]
    public void Mismatch_writes_received_file_and_fails_with_a_diff_without_touching_verified()
    {
        var verified = Path.Combine(_directory, "T.M.verified.cs");
        File.WriteAllText(verified, "one\ntwo\nthree\n");

        var error = Assert.Throws<SnapshotMismatchException>(() => Snapshot.Verify("one\n2\nthree\n", _directory, "T.M", accept: false));

        Assert.Contains("- two\n+ 2\n", error.Message);
        Assert.Equal("one\n2\nthree\n", File.ReadAllText(Path.Combine(_directory, "T.M.received.cs")));
        Assert.Equal("one\ntwo\nthree\n", File.ReadAllText(verified));
    }

    [Fact]
    public void Missing_snapshot_fails_and_leaves_received_file()
    {
        Assert.Throws<SnapshotMismatchException>(() => Snapshot.Verify("new", _directory, "T.M", accept: false));

        Assert.True(File.Exists(Path.Combine(_directory, "T.M.received.cs")));
        Assert.False(File.Exists(Path.Combine(_directory, "T.M.verified.cs")));
    }

    [Fact]
    public void Accept_rewrites_verified_and_removes_received()
    {
        File.WriteAllText(Path.Combine(_directory, "T.M.received.cs"), "stale");

        Snapshot.Verify("accepted\n", _directory, "T.M", accept: true);

        Assert.Equal("accepted\n", File.ReadAllText(Path.Combine(_directory, "T.M.verified.cs")));
        Assert.False(File.Exists(Path.Combine(_directory, "T.M.received.cs")));
    }

    [Fact]
    public void Diff_shows_hunks_with_context_and_line_numbers()
    {
        var expected = string.Join("\n", Enumerable.Range(1, 20).Select(i => "line " + i));
        var actual = expected.Replace("line 3\n", "").Replace("line 15", "line fifteen");

        var diff = LineDiff.Format(expected, actual);

        Assert.Equal(
            "@@ expected line 1, actual line 1 @@\n  line 1\n  line 2\n- line 3\n  line 4\n  line 5\n  line 6\n" +
            "@@ expected line 12, actual line 11 @@\n  line 12\n  line 13\n  line 14\n- line 15\n+ line fifteen\n  line 16\n  line 17\n  line 18\n",
            diff);
        Assert.Equal("", LineDiff.Format(expected, expected));
    }

    [Fact]
    public void Edit_script_replays_to_both_texts()
    {
        Prop.ForAll(
            ArbMap.Default.ArbFor<char[]>(), ArbMap.Default.ArbFor<char[]>(),
            (x, y) =>
            {
                // Lines drawn from a small alphabet so the texts share lines.
                var expected = x.Select(c => ((char)('a' + c % 4)).ToString()).ToArray();
                var actual = y.Select(c => ((char)('a' + c % 4)).ToString()).ToArray();
                var edits = LineDiff.Edits(expected, actual);
                return edits.Where(e => e.Op != '+').Select(e => e.Line).SequenceEqual(expected)
                    && edits.Where(e => e.Op != '-').Select(e => e.Line).SequenceEqual(actual);
            }).QuickCheckThrowOnFailure();
    }
}
