using System;
using System.Collections.Generic;

namespace MailTls.Clients.Registry
{
    /// <summary>The types of registry values (Microsoft.Win32's enum is marked Windows-only; this one is the same on every system).</summary>
    internal enum RegistryValueKind
    {
        /// <summary>Any other type (REG_NONE, REG_LINK, …).</summary>
        Unknown,

        /// <summary>REG_SZ.</summary>
        String,

        /// <summary>REG_EXPAND_SZ.</summary>
        ExpandString,

        /// <summary>REG_BINARY.</summary>
        Binary,

        /// <summary>REG_DWORD.</summary>
        DWord,

        /// <summary>REG_MULTI_SZ.</summary>
        MultiString,

        /// <summary>REG_QWORD.</summary>
        QWord,
    }

    /// <summary>One registry value as MailTls reads and writes it: its type and its data.</summary>
    internal sealed class RegistryData : IEquatable<RegistryData>
    {
        public RegistryData(RegistryValueKind kind, object data)
        {
            Kind = kind;
            Data = data;
        }

        public RegistryValueKind Kind { get; }

        /// <summary>An int for REG_DWORD, a string for REG_SZ, a byte[] for REG_BINARY (other kinds as the registry gives them).</summary>
        public object Data { get; }

        public static RegistryData Dword(int value) => new RegistryData(RegistryValueKind.DWord, value);

        public bool Equals(RegistryData? other) =>
            other != null && other.Kind == Kind && (Data is byte[] mine && other.Data is byte[] theirs
                ? System.Linq.Enumerable.SequenceEqual(mine, theirs)
                : Equals(Data, other.Data));

        public override bool Equals(object? obj) => Equals(obj as RegistryData);

        public override int GetHashCode() => Kind.GetHashCode();
    }

    /// <summary>
    /// The registry as the client configurators need it: keys by their full path (<c>HKEY_CURRENT_USER\Software\…</c>),
    /// their subkeys and values. On Windows it is the real registry; the tests give an in-memory one with the clients'
    /// real key layouts.
    /// </summary>
    internal interface IRegistryStore
    {
        /// <summary>Whether this machine has a registry at all (Windows).</summary>
        bool Available { get; }

        /// <summary>Whether a key exists.</summary>
        bool KeyExists(string path);

        /// <summary>The names of a key's subkeys (none when it does not exist).</summary>
        IReadOnlyList<string> SubKeyNames(string path);

        /// <summary>A value, or null when the key or the value does not exist.</summary>
        RegistryData? GetValue(string path, string name);

        /// <summary>Writes a value into an existing key.</summary>
        /// <exception cref="UnauthorizedAccessException">No permission to write the key.</exception>
        /// <exception cref="System.IO.IOException">The key is gone or the write failed.</exception>
        void SetValue(string path, string name, RegistryData value);

        /// <summary>Deletes a value if it is there.</summary>
        void DeleteValue(string path, string name);
    }

    /// <summary>Full registry paths: the hive's long name, then the subkeys (as regedit and the Registry:: provider spell them).</summary>
    internal static class RegistryPath
    {
        private static readonly (string Short, string Long)[] Hives =
        {
            ("HKCU", "HKEY_CURRENT_USER"),
            ("HKU", "HKEY_USERS"),
            ("HKLM", "HKEY_LOCAL_MACHINE"),
        };

        /// <summary>Whether a path names a registry key: <c>HKEY_…\…</c>, <c>HKCU:\…</c> or <c>Registry::HKEY_…</c>.</summary>
        public static bool IsRegistry(string path) => Normalize(path) != null;

        /// <summary>The full path of a registry key (<c>HKEY_CURRENT_USER\Software\…</c>), or null when the path is not one.</summary>
        public static string? Normalize(string path)
        {
            var text = path.Trim();
            const string provider = "Registry::";
            if (text.StartsWith(provider, StringComparison.OrdinalIgnoreCase))
            {
                text = text.Substring(provider.Length);
            }

            text = text.TrimEnd('\\');
            foreach (var (shortName, longName) in Hives)
            {
                if (text.StartsWith(shortName + ":", StringComparison.OrdinalIgnoreCase))
                {
                    // PowerShell's drive form takes / as a separator too; the full form keeps it (a key name may hold one).
                    text = text.Replace('/', '\\').TrimEnd('\\');
                }

                foreach (var prefix in new[] { shortName + ":", shortName, longName })
                {
                    if (text.Equals(prefix, StringComparison.OrdinalIgnoreCase))
                    {
                        return longName;
                    }

                    if (text.StartsWith(prefix + "\\", StringComparison.OrdinalIgnoreCase))
                    {
                        return longName + text.Substring(prefix.Length);
                    }
                }
            }

            return null;
        }

        public static string Combine(string path, params string[] names) => names.Length == 0 ? path : path + "\\" + string.Join("\\", names);

        public static string Leaf(string path) => path.Substring(path.LastIndexOf('\\') + 1);

        public static string Parent(string path) => path.Substring(0, Math.Max(0, path.LastIndexOf('\\')));
    }
}
