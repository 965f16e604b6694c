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
        /// <param name="hiddenBackup">Name the backup as a dotfile.</param>
        /// <returns>The backup's path, or null when there was no file to back up.</returns>
        /// <exception cref="IOException">Writing, renaming or the read-back check failed; the original is back in place.</exception>
        /// <exception cref="UnauthorizedAccessException">No permission to write there.</exception>
        public static string? Write(string path, byte[] content, string? backupDirectory = null, string backupSuffix = BackupSuffix, Action<string>? beforeRename = null,
            bool hiddenBackup = false)
        {
            var full = Resolve(path);
            var backup = File.Exists(full) ? Backup(full, backupDirectory, backupSuffix, hidden: hiddenBackup) : null;
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
            var full = Resolve(path);
            var previous = File.Exists(full) ? File.ReadAllBytes(full) : null;

            var temporary = TemporaryBeside(full);
            try
            {
                using (var stream = CreateTemporary(temporary, previous != null ? full : null))
                {
                    stream.Write(content, 0, content.Length);
                    stream.Flush(flushToDisk: true);
                }
#if NET
                // Keep the file's permissions exactly (the umask may have narrowed them) and its owner.
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

        /// <summary>A backup time stamp (UTC, sortable); one command gives all its backups the same one.</summary>
        public static string Stamp() => DateTime.UtcNow.ToString("yyyyMMddTHHmmssfffZ", CultureInfo.InvariantCulture);

        /// <summary>Copies <paramref name="path"/> to a timestamped backup (permissions kept) and returns its path.</summary>
        /// <param name="path">The file.</param>
        /// <param name="backupDirectory">Where the backup goes; null: beside the file.</param>
        /// <param name="suffix">The backup's suffix.</param>
        /// <param name="stamp">The time stamp; null: now.</param>
        /// <param name="hidden">Name it as a dotfile, so tools that read every file of a folder (getmail) never take it for settings.</param>
        public static string Backup(string path, string? backupDirectory = null, string suffix = BackupSuffix, string? stamp = null, bool hidden = false)
        {
            path = Resolve(path);
            var directory = backupDirectory ?? Path.GetDirectoryName(path) ?? ".";
            Directory.CreateDirectory(directory);
            stamp ??= Stamp();
            var name = BackupName(path, hidden);
            var backup = Path.Combine(directory, name + "." + stamp + suffix);
            for (var n = 2; File.Exists(backup); n++)
            {
                backup = Path.Combine(directory, name + "." + stamp + "-" + n.ToString(CultureInfo.InvariantCulture) + suffix);
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

        /// <summary>The change backups of a file beside it (dotfile or not), newest first.</summary>
        public static IReadOnlyList<string> Backups(string path)
        {
            var full = Resolve(path);
            var directory = Path.GetDirectoryName(full) ?? ".";
            if (!Directory.Exists(directory))
            {
                return Array.Empty<string>();
            }

            return new[] { BackupName(full, false), BackupName(full, true) }.Distinct(StringComparer.Ordinal)
                .SelectMany(name => Directory.GetFiles(directory, name + ".*" + BackupSuffix).Select(f => (File: f, Stamp: Path.GetFileName(f).Substring(name.Length + 1))))
                .Where(b => b.Stamp.Length > 0 && char.IsDigit(b.Stamp[0]))
                .OrderByDescending(b => b.Stamp, StringComparer.Ordinal)
                .Select(b => b.File)
                .ToArray();
        }

        /// <summary>The time stamp of a backup made by <see cref="Backup"/>.</summary>
        public static string StampOf(string backup)
        {
            var name = Path.GetFileName(backup);
            var end = name.LastIndexOf(BackupSuffix, StringComparison.Ordinal);
            var start = name.LastIndexOf('.', end < 0 ? name.Length - 1 : end - 1);
            return end > start && start >= 0 ? name.Substring(start + 1, end - start - 1) : string.Empty;
        }

        private static string BackupName(string path, bool hidden)
        {
            var name = Path.GetFileName(path);
            return hidden && !name.StartsWith(".", StringComparison.Ordinal) ? "." + name : name;
        }

        /// <summary>The file a path names, through symbolic links: a linked dotfile is written where it really lives, and the link stays.</summary>
        private static string Resolve(string path)
        {
            var full = Path.GetFullPath(path);
#if NET
            var info = new FileInfo(full);
            if (info.Exists && info.LinkTarget != null)
            {
                return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
            }
#endif
            return full;
        }

        /// <summary>The temporary file, created no more open than the file it replaces (it holds the same secrets).</summary>
        private static FileStream CreateTemporary(string temporary, string? original)
        {
#if NET
            if (original != null && !OperatingSystem.IsWindows())
            {
                return new FileStream(temporary, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Share = FileShare.None,
                    UnixCreateMode = File.GetUnixFileMode(original),
                });
            }
#endif
            return new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }

        /// <summary>A new hidden name beside <paramref name="path"/> for a file that replaces it or is scratch for it.</summary>
        internal static string TemporaryBeside(string path, string extension = ".tmp") =>
            Path.Combine(Path.GetDirectoryName(path) ?? ".", "." + Path.GetFileName(path) + ".mailtls-" + Guid.NewGuid().ToString("N") + extension);

        /// <summary>Renames <paramref name="source"/> over <paramref name="destination"/> in one step.</summary>
        internal static void Rename(string source, string destination)
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
