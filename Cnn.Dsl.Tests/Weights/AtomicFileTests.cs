using System;
using System.IO;
using System.Text;
using Cnn.Runtime.Weights;

namespace Cnn.Dsl.Tests.Weights;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_write_that_throws_leaves_the_previous_file_intact_and_no_temporary_file()
    {
        var path = _directory.File("weights.safetensors");
        File.WriteAllText(path, "previous");

        var error = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.UTF8.GetBytes("half of the new cont"));
            throw new IOException("disk full");
        }));

        Assert.Equal("disk full", error.Message);
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public void A_failing_save_of_safetensors_keeps_the_previous_weights()
    {
        var path = _directory.File("weights.safetensors");
        new SafeTensorsWriter().Add("w", new[] { 1 }, new[] { 1f }).Save(path);

        Assert.Throws<NotSupportedException>(() => AtomicFile.Write(path, stream =>
        {
            new SafeTensorsWriter().Add("w", new[] { 1 }, new[] { 2f }).WriteTo(stream);
            throw new NotSupportedException("crash after writing");
        }));

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal(new[] { 1f }, reader.ReadFloats("w"));
    }

    [Fact]
    public void A_successful_write_replaces_the_file()
    {
        var path = _directory.File("weights.safetensors");
        File.WriteAllText(path, "previous");

        AtomicFile.Write(path, stream => stream.Write(Encoding.UTF8.GetBytes("next")));

        Assert.Equal("next", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public void A_write_creates_a_file_that_did_not_exist()
    {
        var path = _directory.File("new.safetensors");

        new SafeTensorsWriter().Add("w", new[] { 2 }, new[] { 3f, 4f }).Save(path);

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal(new[] { 3f, 4f }, reader.ReadFloats("w"));
    }

    [Fact]
    public void A_missing_directory_is_reported_as_such()
    {
        var path = Path.Combine(_directory.Path, "missing", "weights.safetensors");

        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(path, stream => stream.WriteByte(1)));
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }
}
