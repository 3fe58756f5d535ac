using System;
using System.IO;
using Cnn.Runtime.Weights;
using FsCheck;
using FsCheck.Fluent;

namespace Cnn.Dsl.Tests.Weights;

/// <summary>Whatever bytes a file holds, the reader either reads it or says what is wrong: no other exception, no huge allocation.</summary>
public sealed class SafeTensorsCorruptionTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    private const int Cases = 300;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Corrupted_or_truncated_files_fail_only_with_a_format_exception()
    {
        var valid = _directory.File("valid.safetensors");
        new SafeTensorsWriter()
            .AddMetadata("format", "pt")
            .Add("conv1.weight", new[] { 2, 1, 3, 3 }, new float[18])
            .Add("bn1.num_batches_tracked", ReadOnlySpan<int>.Empty, new long[] { 5 })
            .Add("dense1.bias", new[] { 4 }, new float[] { 1, 2, 3, 4 })
            .Save(valid);
        var original = File.ReadAllBytes(valid);
        var corruptions =
            from truncate in Gen.Choose(0, original.Length)
            from flips in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, original.Length - 1), Gen.Choose(0, 255)), 3)
            select (truncate, flips);

        var property = Prop.ForAll(Arb.From(corruptions), ((int Truncate, (int, int)[] Flips) corruption) =>
        {
            var bytes = original.AsSpan(0, corruption.Truncate).ToArray();
            foreach (var (at, value) in corruption.Flips)
            {
                if (at < bytes.Length)
                {
                    bytes[at] = (byte)value;
                }
            }
            var path = _directory.File(Guid.NewGuid().ToString("N") + ".safetensors");
            File.WriteAllBytes(path, bytes);
            try
            {
                using var reader = SafeTensorsReader.Open(path);
                foreach (var tensor in reader.Tensors)
                {
                    if (tensor.DType.IsFloat())
                    {
                        reader.ReadFloats(tensor.Name);
                    }
                    else if (tensor.DType.IsInteger())
                    {
                        reader.ReadLongs(tensor.Name);
                    }
                }
                return true;
            }
            catch (SafeTensorsFormatException error)
            {
                return error.FilePath == path;
            }
        });

        // Each case writes one small file (a few ms); 30,000 cases passed once, 300 keep the suite fast.
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases), property);
    }
}
