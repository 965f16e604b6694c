using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using MailTls.Files;

namespace MailTls.Clients.Registry
{
    /// <summary>
    /// The values of one registry key that a change touches, as they were before it, saved as a .reg file (UTF-16, the
    /// format regedit writes): Undo-ClientSsl reads it back, and without MailTls a double-click or <c>reg import</c>
    /// does the same. A value that did not exist is written <c>"name"=-</c>, which deletes it again. Only the values
    /// MailTls changes are kept, never a whole key (Outlook's keys hold encrypted passwords).
    /// </summary>
    internal sealed class RegistryBackup
    {
        private const string Header = "Windows Registry Editor Version 5.00";

        public RegistryBackup(string key, IReadOnlyDictionary<string, RegistryData?> values)
        {
            Key = key;
            Values = values;
        }

        /// <summary>The key's full path.</summary>
        public string Key { get; }

        /// <summary>Each value by name; null for one that did not exist.</summary>
        public IReadOnlyDictionary<string, RegistryData?> Values { get; }

        public string Render(string note)
        {
            var text = new StringBuilder().Append(Header).Append("\r\n\r\n");
            text.Append("; ").Append(note).Append("\r\n");
            text.Append('[').Append(Key).Append("]\r\n");
            foreach (var pair in Values.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
            {
                text.Append(Quote(pair.Key)).Append('=').Append(pair.Value == null ? "-" : Literal(pair.Value)).Append("\r\n");
            }

            return text.ToString();
        }

        /// <exception cref="ClientConfigException">The file is not a backup MailTls wrote.</exception>
        public static RegistryBackup Parse(string text, string path)
        {
            var lines = text.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()).ToList();
            if (lines.Count == 0 || lines[0].TrimStart('\uFEFF') != Header)
            {
                throw Unreadable(path, 1, $"it does not start with '{Header}'");
            }

            string? key = null;
            var values = new Dictionary<string, RegistryData?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 1; i < lines.Count; i++)
            {
                var line = lines[i];

                // regedit wraps long hex data with a trailing backslash.
                while (line.EndsWith("\\", StringComparison.Ordinal) && i + 1 < lines.Count)
                {
                    line = line.Substring(0, line.Length - 1) + lines[++i].Trim();
                }

                if (line.Length == 0 || line.StartsWith(";", StringComparison.Ordinal))
                {
                    continue;
                }

                if (line.StartsWith("[", StringComparison.Ordinal) && line.EndsWith("]", StringComparison.Ordinal))
                {
                    if (key != null)
                    {
                        throw Unreadable(path, i + 1, "it names more than one key");
                    }

                    key = line.Substring(1, line.Length - 2);
                    continue;
                }

                var (name, rest) = ReadQuoted(line, 0, path, i + 1);
                if (key == null || rest >= line.Length || line[rest] != '=')
                {
                    throw Unreadable(path, i + 1, "a value line is not \"name\"=data under a [key]");
                }

                values[name] = ReadData(line.Substring(rest + 1), path, i + 1);
            }

            return new RegistryBackup(key ?? throw Unreadable(path, lines.Count, "it names no key"), values);
        }

        private static RegistryData? ReadData(string data, string path, int line)
        {
            if (data == "-")
            {
                return null;
            }

            if (data.StartsWith("\"", StringComparison.Ordinal))
            {
                var (text, end) = ReadQuoted(data, 0, path, line);
                return end == data.Length ? new RegistryData(RegistryValueKind.String, text) : throw Unreadable(path, line, "text follows a string value");
            }

            if (data.StartsWith("dword:", StringComparison.OrdinalIgnoreCase)
                && uint.TryParse(data.Substring(6), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var dword))
            {
                return RegistryData.Dword(unchecked((int)dword));
            }

            var expand = data.StartsWith("hex(2):", StringComparison.OrdinalIgnoreCase);
            if (data.StartsWith("hex:", StringComparison.OrdinalIgnoreCase) || expand)
            {
                var body = data.Substring(expand ? 7 : 4);
                var bytes = body.Length == 0 ? Array.Empty<int>() : body.Split(',').Select(b => byte.TryParse(b.Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var x) ? (int)x : -1).ToArray();
                if (bytes.Any(b => b < 0) || (expand && bytes.Length % 2 == 1))
                {
                    throw Unreadable(path, line, "a hex value has a byte that is not two hex digits");
                }

                var raw = bytes.Select(b => (byte)b).ToArray();

                // hex(2) is REG_EXPAND_SZ: UTF-16LE text and its NUL, as regedit exports it.
                return expand ? new RegistryData(RegistryValueKind.ExpandString, Encoding.Unicode.GetString(raw).TrimEnd('\0')) : new RegistryData(RegistryValueKind.Binary, raw);
            }

            throw Unreadable(path, line, $"'{data}' is not a string, dword:, hex: or hex(2): value (the only kinds MailTls changes)");
        }

        private static (string Text, int End) ReadQuoted(string line, int start, string path, int number)
        {
            if (start >= line.Length || line[start] != '"')
            {
                throw Unreadable(path, number, "a name or string does not start with a quote");
            }

            var text = new StringBuilder();
            for (var i = start + 1; i < line.Length; i++)
            {
                var c = line[i];
                if (c == '\\' && i + 1 < line.Length)
                {
                    text.Append(line[++i]);
                }
                else if (c == '"')
                {
                    return (text.ToString(), i + 1);
                }
                else
                {
                    text.Append(c);
                }
            }

            throw Unreadable(path, number, "a quote is not closed");
        }

        private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        private static string Literal(RegistryData value) => value.Kind switch
        {
            RegistryValueKind.DWord => "dword:" + ((int)value.Data).ToString("x8", CultureInfo.InvariantCulture),
            RegistryValueKind.String => Quote((string)value.Data),
            RegistryValueKind.Binary => "hex:" + Hex((byte[])value.Data),
            RegistryValueKind.ExpandString => "hex(2):" + Hex(Encoding.Unicode.GetBytes((string)value.Data + "\0")),
            _ => throw new ArgumentException($"MailTls changes only REG_DWORD, REG_SZ, REG_EXPAND_SZ and REG_BINARY values, not {value.Kind}.", nameof(value)),
        };

        private static string Hex(byte[] bytes) => string.Join(",", bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

        private static ClientConfigException Unreadable(string path, int line, string why) =>
            new ClientConfigException("BackupUnreadable", path, $"'{path}' is not a registry backup MailTls wrote ({why}, line {line}); nothing was restored.");
    }

    /// <summary>
    /// Where registry backups go: a folder of the user who runs the command (%LOCALAPPDATA%\MailTls\Backups), one file
    /// per key and command, named after the key's last name and a hash of its whole path.
    /// </summary>
    internal sealed class RegistryBackupFolder
    {
        public RegistryBackupFolder(string directory) => Directory = directory;

        public string Directory { get; }

        /// <summary>%LOCALAPPDATA%\MailTls\Backups (the variable first, so a runbook or a test can move it).</summary>
        public static RegistryBackupFolder ForCurrentUser()
        {
            var local = Environment.GetEnvironmentVariable("LOCALAPPDATA");
            if (string.IsNullOrEmpty(local))
            {
                local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            }

            return new RegistryBackupFolder(Path.Combine(local!, "MailTls", "Backups"));
        }

        /// <summary>Writes a backup (atomically; over <paramref name="existing"/> when it grows within one command) and returns its path.</summary>
        public string Save(RegistryBackup backup, string stamp, string suffix, string? existing)
        {
            System.IO.Directory.CreateDirectory(Directory);
            var path = existing ?? Path.Combine(Directory, NameOf(backup.Key) + "." + stamp + suffix + ".reg");
            for (var n = 2; existing == null && File.Exists(path); n++)
            {
                path = Path.Combine(Directory, NameOf(backup.Key) + "." + stamp + "-" + n.ToString(CultureInfo.InvariantCulture) + suffix + ".reg");
            }

            var note = suffix == AtomicFile.UndoSuffix
                ? "Undo-ClientSsl's backup of the values it put back, taken " + stamp + "."
                : "Set-ClientSsl's backup of the values it changed, taken " + stamp + ". Undo-ClientSsl -Path '" + backup.Key + "' (or reg import of this file) puts them back.";
            AtomicFile.Replace(path, Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(backup.Render(note))).ToArray(), null);
            return path;
        }

        /// <summary>The change backups of a key, newest first.</summary>
        public IReadOnlyList<string> Backups(string key)
        {
            if (!System.IO.Directory.Exists(Directory))
            {
                return Array.Empty<string>();
            }

            var name = NameOf(key);
            return System.IO.Directory.GetFiles(Directory, name + ".*" + AtomicFile.BackupSuffix + ".reg")
                .OrderByDescending(f => Path.GetFileName(f), StringComparer.Ordinal)
                .ToArray();
        }

        public static RegistryBackup Read(string path) => RegistryBackup.Parse(File.ReadAllText(path, Encoding.Unicode), path);

        private static string NameOf(string key)
        {
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(key.ToUpperInvariant()));
            var leaf = new string(RegistryPath.Leaf(key).Where(c => char.IsLetterOrDigit(c) || c == '-' || c == '_').Take(40).ToArray());
            return leaf + "-" + string.Concat(hash.Take(8).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        }
    }
}
