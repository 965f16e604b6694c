using System;
using System.Globalization;
using System.IO;
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
        /// <returns>The backup's path, or null when there was no file to back up.</returns>
        /// <exception cref="IOException">Writing, renaming or the read-back check failed; the original is back in place.</exception>
        /// <exception cref="UnauthorizedAccessException">No permission to write there.</exception>
        public static string? Write(string path, byte[] content, string? backupDirectory = null)
        {
            var full = Path.GetFullPath(path);
            var directory = Path.GetDirectoryName(full) ?? ".";
            string? backup = null;
            if (File.Exists(full))
            {
                backup = Backup(full, backupDirectory);
            }

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
                if (backup != null && !OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(temporary, File.GetUnixFileMode(backup));
                }
#endif
                Replace(temporary, full);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }

            var written = File.ReadAllBytes(full);
            if (!AreEqual(written, content))
            {
                if (backup != null)
                {
                    File.Copy(backup, full, overwrite: true);
                }

                throw new IOException($"'{full}' did not read back as written; the previous version was put back from '{backup}'.");
            }

            return backup;
        }

        /// <summary>Writes text as UTF-8 without a byte-order mark.</summary>
        public static string? WriteText(string path, string content, string? backupDirectory = null) =>
            Write(path, new UTF8Encoding(false).GetBytes(content), backupDirectory);

        /// <summary>Copies <paramref name="path"/> to a timestamped backup and returns its path.</summary>
        public static string Backup(string path, string? backupDirectory = null)
        {
            var directory = backupDirectory ?? Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            Directory.CreateDirectory(directory);
            var stamp = DateTime.UtcNow.ToString("yyyyMMddTHHmmssfffZ", CultureInfo.InvariantCulture);
            var backup = Path.Combine(directory, Path.GetFileName(path) + "." + stamp + ".mailtls-backup");
            File.Copy(path, backup, overwrite: false);
            return backup;
        }

        private static void Replace(string source, string destination)
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
