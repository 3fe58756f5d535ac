using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Cnn.Runtime.Weights;
using static Cnn.Dsl.Tests.Weights.RawSafeTensors;

namespace Cnn.Dsl.Tests.Weights;

public sealed class SafeTensorsMalformedFileTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>(header, data bytes, declared header length or null for the true one, expected fault).</summary>
    public static IEnumerable<object?[]> Faults() => new[]
    {
        Case("{}", 0, 200UL, "the header length 200 exceeds the 2 bytes that follow it"),
        Case("{}", 0, 1UL << 40, "exceeds the 100000000-byte limit"),
        Case("[]", 0, null, "the header does not start with '{'"),
        Case("", 0, null, "the header does not start with '{'"),
        Case("{\"a\":", 0, null, "the header is not valid JSON"),
        Case("{\"__metadata__\":{\"epoch\":3}}", 0, null, "__metadata__ entry 'epoch' is not a string"),
        Case("{\"__metadata__\":[1]}", 0, null, "__metadata__ is not an object of strings"),
        Case("{\"a\":7}", 0, null, "tensor 'a' is not an object"),
        Case("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, null, "tensor 'a' has no 'dtype'"),
        Case("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, null, "tensor 'a' has no 'shape'"),
        Case("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, null, "tensor 'a' has no 'data_offsets'"),
        Case("{" + Entry("a", "Q7", "[1]", 0, 4) + "}", 4, null, "tensor 'a' has an unknown dtype \"Q7\""),
        Case("{" + Entry("a", "F32", "[-1]", 0, 4) + "}", 4, null, "tensor 'a' has shape dimension -1"),
        Case("{" + Entry("a", "F32", "[1.5]", 0, 4) + "}", 4, null, "tensor 'a' has shape dimension 1.5"),
        Case("{" + Entry("a", "F32", "7", 0, 4) + "}", 4, null, "tensor 'a' has a shape that is not an array"),
        Case("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4, null, "tensor 'a' has data_offsets that are not [begin, end]"),
        Case("{" + Entry("a", "F32", "[1]", 8, 4) + "}", 8, null, "tensor 'a' has data_offsets [8,4], not integers with 0 ≤ begin ≤ end"),
        Case("{" + Entry("a", "F32", "[4]", 0, 16) + "}", 8, null, "tensor 'a' ends at byte 16 of the data section, which has only 8 bytes"),
        Case("{" + Entry("a", "F32", "[2, 3]", 0, 16) + "}", 16, null, "tensor 'a' is F32 [2, 3] but its data_offsets span 16 bytes instead of 24"),
        Case("{" + Entry("a", "F32", "[2147483647, 2147483647, 2147483647]", 0, 4) + "}", 4, null, "span 4 bytes instead of 9223372036854775807"),
        Case("{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 4, 12) + "}", 12, null, "tensor 'b' overlaps tensor 'a' (bytes 4..8)"),
        Case("{" + Entry("a", "F32", "[1]", 0, 4) + "," + Entry("b", "F32", "[1]", 8, 12) + "}", 12, null,
            "bytes 4..8 of the data section belong to no tensor (before 'b')"),
        Case("{" + Entry("a", "F32", "[1]", 0, 4) + "}", 12, null, "bytes 4..12 of the data section belong to no tensor (after the last one)"),
        Case("{" + Entry("a", "F32", "[1]", 0, 4) + "," + Entry("a", "F32", "[1]", 4, 8) + "}", 8, null, "'a' appears twice in the header"),
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void A_malformed_header_is_rejected_naming_the_file_and_the_fault(string header, int dataBytes, ulong? declaredLength, string fault)
    {
        var path = _directory.File("bad.safetensors");
        Write(path, header, new byte[dataBytes], declaredLength);

        var error = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsReader.Open(path));

        Assert.Equal(path, error.FilePath);
        Assert.Contains(fault, error.Fault);
        Assert.StartsWith(path + ": not a valid safetensors file: ", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void A_file_shorter_than_the_length_prefix_is_rejected(int length)
    {
        var path = _directory.File("short.safetensors");
        File.WriteAllBytes(path, new byte[length]);

        var error = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsReader.Open(path));

        Assert.Equal($"the file has {length} bytes, fewer than the 8-byte header length", error.Fault);
    }

    [Fact]
    public void A_header_that_is_not_UTF_8_is_rejected()
    {
        var path = _directory.File("latin1.safetensors");
        var header = new byte[] { (byte)'{', (byte)'"', 0xF1, (byte)'"', (byte)':', (byte)'{', (byte)'}', (byte)'}' };
        File.WriteAllBytes(path, BitConverter.GetBytes((ulong)header.Length).Concat(header).ToArray());

        var error = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsReader.Open(path));

        Assert.Equal("the header is not valid UTF-8", error.Fault);
    }

    [Fact]
    public void A_rejected_file_is_closed_again()
    {
        var path = _directory.File("closed.safetensors");
        Write(path, "[]", Array.Empty<byte>());

        Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsReader.Open(path));

        File.Delete(path);
        Assert.False(File.Exists(path));
    }

    private static object?[] Case(string header, int dataBytes, ulong? declaredLength, string fault) =>
        new object?[] { header, dataBytes, declaredLength, fault };
}
