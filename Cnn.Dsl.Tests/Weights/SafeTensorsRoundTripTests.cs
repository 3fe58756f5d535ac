using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using Cnn.Runtime.Weights;
using FsCheck;
using FsCheck.Fluent;

namespace Cnn.Dsl.Tests.Weights;

public sealed class SafeTensorsRoundTripTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Written_tensors_and_metadata_read_back_unchanged()
    {
        var path = _directory.File("model.safetensors");
        var weight = Enumerable.Range(0, 24).Select(i => i * 0.5f - 3f).ToArray();
        new SafeTensorsWriter()
            .AddMetadata("format", "pt")
            .AddMetadata("note", "ünïcode × ok")
            .Add("conv1.weight", new[] { 2, 3, 2, 2 }, weight)
            .Add("bn1.num_batches_tracked", ReadOnlySpan<int>.Empty, new long[] { 42 })
            .Add("empty", new[] { 0, 3 }, ReadOnlySpan<float>.Empty)
            .Save(path);

        using var reader = SafeTensorsReader.Open(path);

        Assert.Equal(new[] { "conv1.weight", "bn1.num_batches_tracked", "empty" }, reader.Tensors.Select(t => t.Name));
        Assert.Equal("pt", reader.Metadata["format"]);
        Assert.Equal("ünïcode × ok", reader.Metadata["note"]);
        Assert.Equal(new[] { 2, 3, 2, 2 }, reader["conv1.weight"].Shape);
        Assert.Equal(SafeTensorsDType.F32, reader["conv1.weight"].DType);
        Assert.Equal(weight, reader.ReadFloats("conv1.weight"));
        Assert.Empty(reader["bn1.num_batches_tracked"].Shape);
        Assert.Equal(SafeTensorsDType.I64, reader["bn1.num_batches_tracked"].DType);
        Assert.Equal(new long[] { 42 }, reader.ReadLongs("bn1.num_batches_tracked"));
        Assert.Empty(reader.ReadFloats("empty"));
    }

    [Fact]
    public void Header_is_padded_so_the_data_starts_on_an_8_byte_boundary()
    {
        var path = _directory.File("aligned.safetensors");
        new SafeTensorsWriter().Add("x", new[] { 3 }, new[] { 1f, 2f, 3f }).Save(path);

        var bytes = File.ReadAllBytes(path);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);

        Assert.Equal(0UL, headerLength % 8);
        Assert.Equal(8 + (long)headerLength + 12, bytes.Length);
        Assert.Equal(1f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)headerLength)));
    }

    [Fact]
    public void Any_shapes_and_float_bit_patterns_round_trip_exactly()
    {
        var tensors =
            from count in Gen.Choose(1, 4)
            from shapes in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 4), 3).Select(s => s.Take(s[0] % 4).ToArray()), count)
            from bits in Gen.ArrayOf(Gen.Choose(int.MinValue, int.MaxValue), shapes.Sum(Elements))
            select (shapes, bits);

        Prop.ForAll(Arb.From(tensors), ((int[][] Shapes, int[] Bits) sample) =>
        {
            var path = _directory.File(Guid.NewGuid().ToString("N") + ".safetensors");
            var writer = new SafeTensorsWriter();
            var at = 0;
            for (var i = 0; i < sample.Shapes.Length; i++)
            {
                var length = Elements(sample.Shapes[i]);
                var values = sample.Bits.Skip(at).Take(length).Select(BitConverter.Int32BitsToSingle).ToArray();
                writer.Add("t" + i, sample.Shapes[i], values);
                at += length;
            }
            writer.Save(path);

            using var reader = SafeTensorsReader.Open(path);
            at = 0;
            for (var i = 0; i < sample.Shapes.Length; i++)
            {
                var length = Elements(sample.Shapes[i]);
                var read = reader.ReadFloats("t" + i).Select(BitConverter.SingleToInt32Bits);
                if (!read.SequenceEqual(sample.Bits.Skip(at).Take(length)) || !reader["t" + i].Shape.SequenceEqual(sample.Shapes[i]))
                {
                    return false;
                }
                at += length;
            }
            return reader.Tensors.Count == sample.Shapes.Length;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Other_floating_point_and_integer_types_are_converted()
    {
        var path = _directory.File("types.safetensors");
        var f64 = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(f64, 1.0 / 3);
        BinaryPrimitives.WriteDoubleLittleEndian(f64.AsSpan(8), -2.5e10);
        var f16 = new byte[4];
        BinaryPrimitives.WriteHalfLittleEndian(f16, (Half)0.099975586f);
        BinaryPrimitives.WriteHalfLittleEndian(f16.AsSpan(2), (Half)(-65504f));
        var bf16 = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(bf16, (ushort)(BitConverter.SingleToInt32Bits(1.5f) >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(bf16.AsSpan(2), (ushort)(BitConverter.SingleToInt32Bits(-0.0078125f) >> 16));
        var i32 = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(i32, -7);
        BinaryPrimitives.WriteInt32LittleEndian(i32.AsSpan(4), int.MaxValue);
        var i8 = new byte[] { 0xFF, 0x7F };
        var u8 = new byte[] { 0xFF, 0x01 };
        var header = "{" + string.Join(",",
            RawSafeTensors.Entry("f64", "F64", "[2]", 0, 16),
            RawSafeTensors.Entry("f16", "F16", "[2]", 16, 20),
            RawSafeTensors.Entry("bf16", "BF16", "[2]", 20, 24),
            RawSafeTensors.Entry("i32", "I32", "[2]", 24, 32),
            RawSafeTensors.Entry("i8", "I8", "[2]", 32, 34),
            RawSafeTensors.Entry("u8", "U8", "[2]", 34, 36)) + "}";
        RawSafeTensors.Write(path, header, f64.Concat(f16).Concat(bf16).Concat(i32).Concat(i8).Concat(u8).ToArray());

        using var reader = SafeTensorsReader.Open(path);

        Assert.Equal(new[] { (float)(1.0 / 3), -2.5e10f }, reader.ReadFloats("f64"));
        Assert.Equal(new[] { 0.099975586f, -65504f }, reader.ReadFloats("f16"));
        Assert.Equal(new[] { 1.5f, -0.0078125f }, reader.ReadFloats("bf16"));
        Assert.Equal(new long[] { -7, int.MaxValue }, reader.ReadLongs("i32"));
        Assert.Equal(new long[] { -1, 127 }, reader.ReadLongs("i8"));
        Assert.Equal(new long[] { 255, 1 }, reader.ReadLongs("u8"));
    }

    [Fact]
    public void Reading_a_tensor_as_the_wrong_kind_or_into_the_wrong_size_throws()
    {
        var path = _directory.File("kinds.safetensors");
        new SafeTensorsWriter()
            .Add("w", new[] { 2 }, new[] { 1f, 2f })
            .Add("n", ReadOnlySpan<int>.Empty, new long[] { 3 })
            .Save(path);
        using var reader = SafeTensorsReader.Open(path);

        Assert.Contains("'n' is I64, not a floating-point tensor", Assert.Throws<InvalidOperationException>(() => reader.ReadFloats("n")).Message);
        Assert.Contains("'w' is F32, not an integer tensor", Assert.Throws<InvalidOperationException>(() => reader.ReadLongs("w")).Message);
        Assert.Contains("has 2 elements; the destination has 3", Assert.Throws<ArgumentException>(() => reader.ReadFloats("w", new float[3])).Message);
        Assert.Contains("has no tensor 'missing'", Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => reader.ReadFloats("missing")).Message);
    }

    [Fact]
    public void Writer_rejects_a_duplicate_name_a_reserved_name_and_a_wrong_value_count()
    {
        var writer = new SafeTensorsWriter().Add("a", new[] { 1 }, new[] { 1f });

        Assert.Throws<ArgumentException>(() => writer.Add("a", new[] { 1 }, new[] { 1f }));
        Assert.Throws<ArgumentException>(() => writer.Add("__metadata__", new[] { 1 }, new[] { 1f }));
        Assert.Contains("needs 6 values, got 5", Assert.Throws<ArgumentException>(() => writer.Add("b", new[] { 2, 3 }, new float[5])).Message);
    }

    private static int Elements(int[] shape) => shape.Aggregate(1, (product, dim) => product * dim);
}
