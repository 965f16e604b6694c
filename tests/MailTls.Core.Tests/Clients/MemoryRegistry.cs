using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using MailTls.Clients.Registry;

namespace MailTls.Core.Tests.Clients
{
    /// <summary>
    /// An in-memory registry for the Windows clients' logic here: keys by full path, case-insensitive like the real one,
    /// with typed values. A hook can make a write fail, to prove that a failed change puts every value back.
    /// </summary>
    internal sealed class MemoryRegistry : IRegistryStore
    {
        private readonly Dictionary<string, Dictionary<string, RegistryData>> _keys = new Dictionary<string, Dictionary<string, RegistryData>>(StringComparer.OrdinalIgnoreCase);

        public bool Available { get; set; } = true;

        /// <summary>Called before each SetValue with the key and value name; throw to make the write fail.</summary>
        public Action<string, string>? BeforeWrite { get; set; }

        public int Writes { get; private set; }

        /// <summary>Keys the user may not open (a SecurityException on Windows, which the store turns into UnauthorizedAccessException).</summary>
        public Func<string, bool>? Denied { get; set; }

        /// <summary>Creates a key (and its parents) and sets values: an int is a REG_DWORD, a string REG_SZ, a byte[] REG_BINARY.</summary>
        public string Key(string path, params (string Name, object Value)[] values)
        {
            for (var parent = path; parent.Length > 0; parent = RegistryPath.Parent(parent))
            {
                if (!_keys.ContainsKey(parent))
                {
                    _keys[parent] = new Dictionary<string, RegistryData>(StringComparer.OrdinalIgnoreCase);
                }
            }

            foreach (var (name, value) in values)
            {
                _keys[path][name] = value switch
                {
                    int n => RegistryData.Dword(n),
                    string s => new RegistryData(RegistryValueKind.String, s),
                    byte[] b => new RegistryData(RegistryValueKind.Binary, b),
                    RegistryData d => d,
                    _ => throw new ArgumentException("int, string, byte[] or RegistryData", nameof(values)),
                };
            }

            return path;
        }

        /// <summary>Outlook's text: UTF-16LE and a NUL, in a REG_BINARY.</summary>
        public static byte[] Utf16(string text) => Encoding.Unicode.GetBytes(text + "\0");

        /// <summary>Every value of every key, to prove that something wrote nothing.</summary>
        public string Dump() => string.Join("\n", _keys.OrderBy(k => k.Key, StringComparer.OrdinalIgnoreCase).SelectMany(k =>
            k.Value.OrderBy(v => v.Key, StringComparer.OrdinalIgnoreCase).Select(v => $"{k.Key}|{v.Key}|{v.Value.Kind}|{Show(v.Value)}")));

        public bool KeyExists(string path) => _keys.ContainsKey(path);

        public IReadOnlyList<string> SubKeyNames(string path) => Denied?.Invoke(path) == true
            ? throw new UnauthorizedAccessException($"Requested registry access is not allowed: {path}")
            : _keys.Keys.Where(k => k.Length > path.Length + 1 && k.StartsWith(path + "\\", StringComparison.OrdinalIgnoreCase) && k.IndexOf('\\', path.Length + 1) < 0)
                .Select(RegistryPath.Leaf).ToArray();

        public RegistryData? GetValue(string path, string name) => Denied?.Invoke(path) == true
            ? throw new UnauthorizedAccessException($"Requested registry access is not allowed: {path}")
            : _keys.TryGetValue(path, out var values) && values.TryGetValue(name, out var value) ? value : null;

        /// <summary>Deletes a key and its subkeys (an account removed in the client).</summary>
        public void DeleteKey(string path)
        {
            foreach (var key in _keys.Keys.Where(k => k.Equals(path, StringComparison.OrdinalIgnoreCase) || k.StartsWith(path + "\\", StringComparison.OrdinalIgnoreCase)).ToArray())
            {
                _keys.Remove(key);
            }
        }

        public void SetValue(string path, string name, RegistryData value)
        {
            BeforeWrite?.Invoke(path, name);
            if (!_keys.TryGetValue(path, out var values))
            {
                throw new IOException($"The registry key '{path}' no longer exists.");
            }

            values[name] = value;
            Writes++;
        }

        public void DeleteValue(string path, string name)
        {
            if (_keys.TryGetValue(path, out var values))
            {
                values.Remove(name);
                Writes++;
            }
        }

        private static string Show(RegistryData value) => value.Data is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(value.Data, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
    }
}
