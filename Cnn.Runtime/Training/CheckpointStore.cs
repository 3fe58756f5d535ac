using System;
using System.IO;
using System.Linq;
using Cnn.Runtime.Weights;

namespace Cnn.Runtime.Training;

/// <summary>
/// A folder of checkpoints, each a subfolder committed all at once: its files are written into a
/// hidden temporary folder, which is renamed into place only when complete, and then the file
/// <c>latest</c> (itself replaced atomically) is pointed at it. A failure or crash at any moment
/// leaves the previous checkpoint and <c>latest</c> as they were.
/// </summary>
public static class CheckpointStore
{
    /// <summary>The file naming the newest committed checkpoint subfolder.</summary>
    public const string LatestFile = "latest";

    /// <summary>Writes a checkpoint named <paramref name="name"/> under <paramref name="root"/> and makes it the latest.</summary>
    /// <param name="root">The checkpoint folder (created if missing).</param>
    /// <param name="name">The subfolder's name.</param>
    /// <param name="writeFiles">Writes every file of the checkpoint into the folder it is given.</param>
    /// <returns>The committed subfolder's full path.</returns>
    public static string Commit(string root, string name, Action<string> writeFiles)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(writeFiles);
        if (string.IsNullOrWhiteSpace(name) || name.StartsWith('.') || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name == LatestFile)
        {
            throw new ArgumentException($"'{name}' cannot name a checkpoint folder.", nameof(name));
        }
        root = Path.GetFullPath(root);
        Directory.CreateDirectory(root);
        var temporary = Path.Combine(root, $".{name}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temporary);
        var final = Path.Combine(root, name);
        try
        {
            writeFiles(temporary);
            if (Directory.Exists(final))
            {
                // A stale folder of the same name (a rerun): move it aside rather than delete it in place,
                // so the window in which `latest` may name a missing folder is a rename, not a delete.
                var stale = Path.Combine(root, $".{name}.{Guid.NewGuid():N}.stale");
                Directory.Move(final, stale);
                Directory.Move(temporary, final);
                DeleteQuietly(stale);
            }
            else
            {
                Directory.Move(temporary, final);
            }
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
        AtomicFile.Write(Path.Combine(root, LatestFile), stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(name);
        });
        return final;
    }

    /// <summary>
    /// The newest committed checkpoint under <paramref name="root"/>: the one <c>latest</c> names,
    /// or, should that folder be missing, the last in name order that holds a complete state.
    /// Null when there is none.
    /// </summary>
    /// <param name="root">The checkpoint folder.</param>
    /// <param name="stateFile">A file every complete checkpoint holds (written last).</param>
    public static string? Latest(string root, string stateFile)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!Directory.Exists(root))
        {
            return null;
        }
        var latestFile = Path.Combine(root, LatestFile);
        if (File.Exists(latestFile))
        {
            var named = Path.Combine(root, File.ReadAllText(latestFile).Trim());
            if (File.Exists(Path.Combine(named, stateFile)))
            {
                return Path.GetFullPath(named);
            }
        }
        return Directory.GetDirectories(root)
            .Where(d => !Path.GetFileName(d).StartsWith('.') && File.Exists(Path.Combine(d, stateFile)))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal)
            .Select(Path.GetFullPath)
            .LastOrDefault();
    }

    /// <summary>Deletes a checkpoint folder, ignoring one already gone.</summary>
    internal static void Delete(string folder) => DeleteQuietly(folder);

    private static void DeleteQuietly(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
