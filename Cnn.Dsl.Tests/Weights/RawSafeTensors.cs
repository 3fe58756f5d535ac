using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace Cnn.Dsl.Tests.Weights;

/// <summary>Writes safetensors files byte by byte, so tests can build the malformed ones a writer never would.</summary>
internal static class RawSafeTensors
{
    /// <summary>The 8-byte length (the header's own unless <paramref name="declaredLength"/> overrides it), the header, then <paramref name="data"/>.</summary>
    public static void Write(string path, string header, byte[] data, ulong? declaredLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>A header entry, <c>"name":{"dtype":…,"shape":[…],"data_offsets":[begin,end]}</c>.</summary>
    public static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";
}
