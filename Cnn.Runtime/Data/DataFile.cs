using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;

namespace Cnn.Runtime.Data;

/// <summary>
/// A data file opened for one sequential read, raw or gzip (told apart by the gzip magic bytes
/// 1F 8B, not by the name), with the bounds every reader checks before it allocates: the data
/// a header declares must fit the file, and a single array.
/// </summary>
internal sealed class DataFile : IDisposable
{
    /// <summary>Deflate's best ratio is about 1032:1, so a gzip file of n bytes never holds more than 1032·n.</summary>
    public const long GzipMaxExpansion = 1032;

    private const int PieceBytes = 1 << 20;

    private readonly FileStream _file;
    private readonly Stream _data;

    private DataFile(string path, FileStream file, bool isGzip)
    {
        Path = path;
        _file = file;
        IsGzip = isGzip;
        _data = isGzip ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    /// <summary>The path as given, for messages.</summary>
    public string Path { get; }

    /// <summary>Whether the file is gzip-compressed.</summary>
    public bool IsGzip { get; }

    /// <summary>The file's length on disk.</summary>
    public long Length => _file.Length;

    /// <summary>The most data bytes the file can hold: its length, or the gzip expansion bound.</summary>
    public long MaxDataBytes => IsGzip ? Length * GzipMaxExpansion : Length;

    /// <summary>Opens <paramref name="path"/>; a missing file is a <see cref="FileNotFoundException"/>.</summary>
    public static DataFile Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            var read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            return new DataFile(path, file, read == 2 && magic[0] == 0x1F && magic[1] == 0x8B);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads a fixed-size header, failing with "truncated" when the data ends first.</summary>
    public void ReadHeader(Span<byte> header, string what)
    {
        var read = ReadUpTo(header);
        if (read < header.Length)
        {
            throw Fault($"truncated: the {what} header needs {header.Length} bytes, the {DataKind} has {read}");
        }
    }

    /// <summary>
    /// Checks, before anything is allocated, that <paramref name="payloadBytes"/> of data after a
    /// <paramref name="headerBytes"/>-byte header fit one array and the file, and, for a raw file,
    /// that nothing follows them.
    /// </summary>
    public void CheckDeclaredSize(long headerBytes, long payloadBytes, string declared)
    {
        if (payloadBytes > Array.MaxLength)
        {
            throw Fault($"declared size too large: {declared} is {Count(payloadBytes)} bytes, more than one array can hold ({Count(Array.MaxLength)})");
        }
        var available = MaxDataBytes - headerBytes;
        if (IsGzip && payloadBytes > available)
        {
            throw Fault($"declared size too large: {declared} is {Count(payloadBytes)} bytes, but a gzip file of {Count(Length)} bytes decompresses to at most {Count(MaxDataBytes)}");
        }
        if (!IsGzip && payloadBytes > available)
        {
            throw Fault($"truncated: {declared} is {Count(payloadBytes)} bytes, but only {Count(available)} follow the header");
        }
        if (!IsGzip && payloadBytes < available)
        {
            throw Fault($"{Count(available - payloadBytes)} trailing bytes after {declared} ({Count(payloadBytes)} bytes)");
        }
    }

    /// <summary>Fills <paramref name="buffer"/> with the next data bytes, failing with "truncated" when they end first.</summary>
    public void ReadExactly(Span<byte> buffer, long offsetInPayload, long payloadBytes, string declared)
    {
        var read = ReadUpTo(buffer);
        if (read < buffer.Length)
        {
            throw Fault($"truncated: {declared} is {Count(payloadBytes)} bytes, the {DataKind} ends after {Count(offsetInPayload + read)}");
        }
    }

    /// <summary>
    /// Reads the whole payload in pieces of at most 1 MiB, each allocated only once the one before
    /// it is full, then checks that nothing follows. A gzip header that overstates its data (which
    /// no up-front check can rule out short of decompressing) thus costs no more memory than the
    /// data really present; callers allocate their full-size arrays only after this returns.
    /// </summary>
    public byte[][] ReadPayload(long payloadBytes, string declared)
    {
        var pieces = new byte[(payloadBytes + PieceBytes - 1) / PieceBytes][];
        for (var i = 0; i < pieces.Length; i++)
        {
            var offset = (long)i * PieceBytes;
            pieces[i] = new byte[Math.Min(PieceBytes, payloadBytes - offset)];
            ReadExactly(pieces[i], offset, payloadBytes, declared);
        }
        ExpectEnd(declared);
        return pieces;
    }

    /// <summary>Fails when data follows what the header declared (checked up front for raw files, here for gzip).</summary>
    public void ExpectEnd(string declared)
    {
        Span<byte> probe = stackalloc byte[1];
        if (ReadUpTo(probe) != 0)
        {
            throw Fault($"trailing data after {declared}");
        }
    }

    /// <summary>An exception naming this file and <paramref name="fault"/>.</summary>
    public DataFormatException Fault(string fault) => new(Path, fault);

    /// <summary>A byte count with thousands separators, as messages show it.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public void Dispose()
    {
        _data.Dispose();
        _file.Dispose();
    }

    private string DataKind => IsGzip ? "decompressed data" : "file";

    private int ReadUpTo(Span<byte> buffer)
    {
        try
        {
            return _data.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(Path, $"corrupt gzip stream: {e.Message}", e);
        }
    }
}
