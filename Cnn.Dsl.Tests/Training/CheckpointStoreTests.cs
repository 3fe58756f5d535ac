using System;
using System.IO;
using Cnn.Runtime.Training;

namespace Cnn.Dsl.Tests.Training;

public sealed class CheckpointStoreTests
{
    private const string State = "state";

    private static Action<string> Writes(string content) => folder => File.WriteAllText(Path.Combine(folder, State), content);

    [Fact]
    public void A_commit_that_fails_while_writing_leaves_the_previous_checkpoint_and_no_temporary_folder()
    {
        using var root = new TempFolder();
        var first = CheckpointStore.Commit(root.Path, "epoch-0001", Writes("one"));

        var error = Assert.Throws<IOException>(() => CheckpointStore.Commit(root.Path, "epoch-0002", folder =>
        {
            File.WriteAllText(Path.Combine(folder, "model"), "half a model");
            throw new IOException("disk full");
        }));

        Assert.Equal("disk full", error.Message);
        Assert.Equal(first, CheckpointStore.Latest(root.Path, State));
        Assert.Equal("one", File.ReadAllText(Path.Combine(first, State)));
        Assert.Equal("epoch-0001", File.ReadAllText(Path.Combine(root.Path, CheckpointStore.LatestFile)));
        Assert.False(Directory.Exists(root.Sub("epoch-0002")));
        Assert.Empty(Directory.GetDirectories(root.Path, ".*"));
    }

    [Fact]
    public void Committing_a_name_again_replaces_that_checkpoint_whole()
    {
        using var root = new TempFolder();
        CheckpointStore.Commit(root.Path, "epoch-0001", folder =>
        {
            File.WriteAllText(Path.Combine(folder, State), "old");
            File.WriteAllText(Path.Combine(folder, "extra"), "old only");
        });

        var again = CheckpointStore.Commit(root.Path, "epoch-0001", Writes("new"));

        Assert.Equal("new", File.ReadAllText(Path.Combine(again, State)));
        Assert.False(File.Exists(Path.Combine(again, "extra")));
        Assert.Single(Directory.GetDirectories(root.Path));
    }

    [Fact]
    public void Latest_falls_back_to_the_last_complete_folder_when_the_named_one_is_gone()
    {
        using var root = new TempFolder();
        var first = CheckpointStore.Commit(root.Path, "epoch-0001", Writes("one"));
        var second = CheckpointStore.Commit(root.Path, "epoch-0002", Writes("two"));
        Directory.CreateDirectory(root.Sub("epoch-0003"));
        Assert.Equal(second, CheckpointStore.Latest(root.Path, State));

        Directory.Delete(second, recursive: true);

        Assert.Equal(first, CheckpointStore.Latest(root.Path, State));
        Assert.Null(CheckpointStore.Latest(root.Sub("missing"), State));
    }

    [Fact]
    public void Names_that_are_not_plain_folder_names_are_refused()
    {
        using var root = new TempFolder();
        Assert.Throws<ArgumentException>(() => CheckpointStore.Commit(root.Path, ".hidden", Writes("x")));
        Assert.Throws<ArgumentException>(() => CheckpointStore.Commit(root.Path, "a/b", Writes("x")));
        Assert.Throws<ArgumentException>(() => CheckpointStore.Commit(root.Path, CheckpointStore.LatestFile, Writes("x")));
    }
}
