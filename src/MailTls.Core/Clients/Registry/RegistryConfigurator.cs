using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MailTls.Clients.Registry
{
    /// <summary>
    /// A client that keeps each account in a registry key (Outlook Express, Outlook). A location is one account key;
    /// its path is the key's full path. Configurators read and plan value changes; <see cref="ClientSslEngine"/> writes
    /// them, as for files: refuse while the client runs, back up, write, read back and verify, put back on failure.
    /// A value of a type the client does not write is reported and left alone, never overwritten.
    /// </summary>
    internal abstract class RegistryConfigurator : ClientConfigurator
    {
        /// <summary>The servers an account key can name, with the prefix of their values (<c>IMAP Server</c>, <c>SMTP Port</c>).</summary>
        protected static readonly (string Prefix, MailProtocol Protocol, MailRole Role)[] Servers =
        {
            ("IMAP", MailProtocol.Imap, MailRole.Incoming),
            ("POP3", MailProtocol.Pop3, MailRole.Incoming),
            ("SMTP", MailProtocol.Smtp, MailRole.Outgoing),
        };

        private readonly string[] _processes;

        protected RegistryConfigurator(IRegistryStore registry, RegistryBackupFolder? backups, string product, string[] processes)
        {
            Registry = registry;
            BackupFolder = backups;
            Product = product;
            _processes = processes;
        }

        /// <summary>The client's name as users know it ("Outlook Express").</summary>
        public string Product { get; }

        public IRegistryStore Registry { get; }

        /// <summary>Where backups go: the given folder, else the current user's, looked up each time (a runbook may move %LOCALAPPDATA%).</summary>
        public RegistryBackupFolder Backups => BackupFolder ?? RegistryBackupFolder.ForCurrentUser();

        private RegistryBackupFolder? BackupFolder { get; }

        /// <summary>The account keys under a user's hive (<c>HKEY_CURRENT_USER</c>, <c>HKEY_USERS\&lt;SID&gt;</c>, or a key a test or an offline hive sits at).</summary>
        public abstract IEnumerable<ConfigLocation> LocateUnder(string root);

        public override IEnumerable<ConfigLocation> Locate(UserHome home) =>
            home.RegistryRoot != null && Registry.Available ? LocateUnder(home.RegistryRoot) : Array.Empty<ConfigLocation>();

        public override string? RunningReason(ConfigLocation location) =>
            RunningProcess.Find(_processes) is string name ? $"{Product} is running ({name}.exe); it keeps its account settings in memory while it runs." : null;

        /// <summary>The seeds' last step, for every client they cover.</summary>
        public override IEnumerable<string> Caveats(ConfigLocation location, AccountRecord account, AccountTarget target) =>
            new[] { $"Exit {Product} and open it again before the first secure connection." };

        /// <summary>
        /// The servers an account key names: one record for each of IMAP, POP3 (only when there is no IMAP server) and
        /// SMTP, with the port and mode <paramref name="connection"/> reads for the value prefix and protocol.
        /// </summary>
        protected IReadOnlyList<AccountRecord> ReadServers(string key, string nameValue, string addressValue, bool binary,
            Func<string, MailProtocol, (int Port, MailSecurity Security, bool Opportunistic)> connection)
        {
            var name = ReadText(key, nameValue, binary) ?? RegistryPath.Leaf(key);
            var address = ReadText(key, addressValue, binary);
            var records = new List<AccountRecord>();
            foreach (var (prefix, protocol, role) in Servers)
            {
                var server = ReadText(key, prefix + " Server", binary);
                if (string.IsNullOrEmpty(server) || records.Any(r => r.Role == role))
                {
                    continue;
                }

                var (port, security, opportunistic) = connection(prefix, protocol);
                var record = AccountRecord.ForRole(name, address, role, protocol, server!, port, security, key);
                record.Opportunistic = opportunistic;
                records.Add(record);
            }

            return records;
        }

        /// <summary>The value of a DWORD, or null when it is missing.</summary>
        /// <exception cref="ClientConfigException">The value has another type.</exception>
        protected int? ReadDword(string key, string name)
        {
            var value = Registry.GetValue(key, name);
            if (value == null)
            {
                return null;
            }

            return value.Kind == RegistryValueKind.DWord ? (int)value.Data : throw WrongType(key, name, value.Kind, "REG_DWORD");
        }

        /// <summary>A text value: REG_SZ, or REG_BINARY holding UTF-16LE text and a terminating NUL (Outlook's profile keys).</summary>
        /// <exception cref="ClientConfigException">The value has another type.</exception>
        protected string? ReadText(string key, string name, bool binary)
        {
            var value = Registry.GetValue(key, name);
            if (value == null)
            {
                return null;
            }

            if (value.Kind == RegistryValueKind.String || value.Kind == RegistryValueKind.ExpandString)
            {
                return ((string)value.Data).TrimEnd('\0');
            }

            if (binary && value.Kind == RegistryValueKind.Binary)
            {
                return DecodeText((byte[])value.Data);
            }

            throw WrongType(key, name, value.Kind, binary ? "REG_BINARY (UTF-16 text)" : "REG_SZ");
        }

        /// <summary>The edit that gives a DWORD a value, or null when it has it already (a missing value counts as its default).</summary>
        protected SettingEdit? SetDword(string key, string name, int value, int? fallback)
        {
            var current = ReadDword(key, name);
            if ((current ?? fallback) == value)
            {
                return null;
            }

            return new SettingEdit(key, name, current?.ToString(CultureInfo.InvariantCulture), value.ToString(CultureInfo.InvariantCulture), RegistryData.Dword(value));
        }

        /// <summary>The edit that gives a text value new text, in the type and encoding it has (REG_SZ stays REG_SZ).</summary>
        protected SettingEdit? SetText(string key, string name, string text, bool binary)
        {
            var before = ReadText(key, name, binary);
            if (string.Equals(before, text, StringComparison.Ordinal))
            {
                return null;
            }

            var kind = Registry.GetValue(key, name)?.Kind ?? (binary ? RegistryValueKind.Binary : RegistryValueKind.String);
            var data = kind == RegistryValueKind.Binary
                ? new RegistryData(kind, Encoding.Unicode.GetBytes(text + "\0"))
                : new RegistryData(kind, text);
            return new SettingEdit(key, name, before, text, data);
        }

        /// <summary>The subkeys of a key, in the order the client numbers them.</summary>
        protected IEnumerable<string> AccountKeys(string parent) =>
            Registry.SubKeyNames(parent).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).Select(n => RegistryPath.Combine(parent, n));

        /// <summary>
        /// Outlook writes UTF-16LE and a two-byte NUL. Single-byte text (an odd length, one NUL at the end and none
        /// before it, or printable ASCII with no NUL at all, as some setup tools wrote it) is read as Latin-1.
        /// </summary>
        internal static string DecodeText(byte[] bytes)
        {
            var n = bytes.Length;
            var firstNul = Array.IndexOf(bytes, (byte)0);
            var singleNul = n >= 2 && firstNul == n - 1;
            var plainAscii = firstNul < 0 && bytes.All(b => b >= 0x20 && b < 0x7F);
            var text = n % 2 == 1 || singleNul || plainAscii ? Encoding.GetEncoding(28591).GetString(bytes) : Encoding.Unicode.GetString(bytes);
            return text.TrimEnd('\0');
        }

        private static ClientConfigException WrongType(string key, string name, RegistryValueKind kind, string expected) =>
            new ClientConfigException("RegistryValueTypeInvalid", key,
                $"'{key}' has the value '{name}' as {KindName(kind)}, where the client writes {expected}. MailTls leaves the account alone rather than overwrite it: set the account up again in the client's own dialog (or delete the value), then run the command again.");

        private static string KindName(RegistryValueKind kind) => kind switch
        {
            RegistryValueKind.String => "REG_SZ",
            RegistryValueKind.ExpandString => "REG_EXPAND_SZ",
            RegistryValueKind.Binary => "REG_BINARY",
            RegistryValueKind.DWord => "REG_DWORD",
            RegistryValueKind.QWord => "REG_QWORD",
            RegistryValueKind.MultiString => "REG_MULTI_SZ",
            _ => kind.ToString(),
        };
    }
}
