using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace MailTls.Files
{
    /// <summary>
    /// Writes a file so that it is never left half-written: the old one is backed up (timestamped, beside it or in a
    /// given folder), the new content goes to a temporary file in the same directory, is flushed to disk, and is
    /// renamed over the old one in one step, then read back and compared.
    /// </summary>
    public static class AtomicFile
    {
        /// <summary>Replaces (or creates) <paramref name="path"/> with <paramref name="content"/>.</summary>
        /// <param name="path">The file.</param>
        /// <param name="content">The new content.</param>
        /// <param name="backupDirectory">Where the backup goes; null: beside the file.</param>
        /// <param name="backupSuffix">The backup's suffix (Undo-ClientSsl keeps its own, so it never restores its own backups).</param>
        /// <param name="beforeRename">Called with the temporary file just before the rename (tests inject a crash there).</param>
        /// <returns>The backup's path, or null when there was no file to back up.</returns>
        /// <exception cref="IOException">Writing, renaming or the read-back check failed; the original is back in place.</exception>
        /// <exception cref="UnauthorizedAccessException">No permission to write there.</exception>
        public static string? Write(string path, byte[] content, string? backupDirectory = null, string backupSuffix = BackupSuffix, Action<string>? beforeRename = null)
        {
            var full = Path.GetFullPath(path);
            var backup = File.Exists(full) ? Backup(full, backupDirectory, backupSuffix) : null;
            Replace(full, content, backup, beforeRename);
            return backup;
        }

        /// <summary>
        /// Replaces <paramref name="path"/> with <paramref name="content"/> like <see cref="Write"/>, with a backup taken
        /// earlier (or none): one backup per file and command, however many changes it makes.
        /// </summary>
        /// <param name="path">The file.</param>
        /// <param name="content">The new content.</param>
        /// <param name="backup">The backup to restore from if the read-back check fails; null: the content before this write.</param>
        /// <param name="beforeRename">Called with the temporary file just before the rename.</param>
        /// <exception cref="IOException">Writing, renaming or the read-back check failed; the original is back in place.</exception>
        /// <exception cref="UnauthorizedAccessException">No permission to write there.</exception>
        public static void Replace(string path, byte[] content, string? backup, Action<string>? beforeRename = null)
        {
            var full = Path.GetFullPath(path);
            var directory = Path.GetDirectoryName(full) ?? ".";
            var previous = File.Exists(full) ? File.ReadAllBytes(full) : null;

            var temporary = Path.Combine(directory, "." + Path.GetFileName(full) + ".mailtls-" + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    stream.Write(content, 0, content.Length);
                    stream.Flush(flushToDisk: true);
                }
#if NET
                // Keep the file's permissions (a private profile file stays private).
                if (previous != null && !OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(temporary, File.GetUnixFileMode(full));
                    FileOwner.Copy(full, temporary);
                }
#endif
                beforeRename?.Invoke(temporary);
                Rename(temporary, full);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }

            var written = File.ReadAllBytes(full);
            if (!AreEqual(written, content))
            {
                if (previous != null)
                {
                    File.WriteAllBytes(full, previous);
                }

                throw new IOException($"'{full}' did not read back as written; the previous version was put back{(backup != null ? $" (a backup is at '{backup}')" : string.Empty)}.");
            }
        }

        /// <summary>Writes text as UTF-8 without a byte-order mark.</summary>
        public static string? WriteText(string path, string content, string? backupDirectory = null) =>
            Write(path, new UTF8Encoding(false).GetBytes(content), backupDirectory);

        /// <summary>The suffix of the backups taken before a change.</summary>
        public const string BackupSuffix = ".mailtls-backup";

        /// <summary>The suffix of the backups taken before an undo.</summary>
        public const string UndoSuffix = ".mailtls-undo-backup";

        /// <summary>Copies <paramref name="path"/> to a timestamped backup (permissions kept) and returns its path.</summary>
        public static string Backup(string path, string? backupDirectory = null, string suffix = BackupSuffix)
        {
            var directory = backupDirectory ?? Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            Directory.CreateDirectory(directory);
            var stamp = DateTime.UtcNow.ToString("yyyyMMddTHHmmssfffZ", CultureInfo.InvariantCulture);
            var backup = Path.Combine(directory, Path.GetFileName(path) + "." + stamp + suffix);
            for (var n = 2; File.Exists(backup); n++)
            {
                backup = Path.Combine(directory, Path.GetFileName(path) + "." + stamp + "-" + n.ToString(CultureInfo.InvariantCulture) + suffix);
            }

            File.Copy(path, backup, overwrite: false);
#if NET
            if (!OperatingSystem.IsWindows())
            {
                FileOwner.Copy(path, backup);
            }
#endif
            return backup;
        }

        /// <summary>The change backups of a file beside it, newest first.</summary>
        public static IReadOnlyList<string> Backups(string path)
        {
            var full = Path.GetFullPath(path);
            var directory = Path.GetDirectoryName(full) ?? ".";
            if (!Directory.Exists(directory))
            {
                return Array.Empty<string>();
            }

            var prefix = Path.GetFileName(full) + ".";
            return Directory.GetFiles(directory, prefix + "*" + BackupSuffix)
                .Where(f => Path.GetFileName(f).Length > prefix.Length + BackupSuffix.Length && char.IsDigit(Path.GetFileName(f)[prefix.Length]))
                .OrderByDescending(f => Path.GetFileName(f), StringComparer.Ordinal)
                .ToArray();
        }

        private static void Rename(string source, string destination)
        {
#if NET
            File.Move(source, destination, overwrite: true);
#else
            if (File.Exists(destination))
            {
                File.Replace(source, destination, null);
            }
            else
            {
                File.Move(source, destination);
            }
#endif
        }

        private static bool AreEqual(byte[] a, byte[] b)
        {
            if (a.Length != b.Length)
            {
                return false;
            }

            for (var i = 0; i < a.Length; i++)
            {
                if (a[i] != b[i])
                {
                    return false;
                }
            }

            return true;
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Left for the next run; it has a name no tool reads.
            }
            catch (UnauthorizedAccessException)
            {
                // Same.
            }
        }
    }
}
