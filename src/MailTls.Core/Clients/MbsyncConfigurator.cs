using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MailTls.Clients.Formats;

namespace MailTls.Clients
{
    /// <summary>
    /// isync's mbsync (~/.mbsyncrc, or $XDG_CONFIG_HOME/isyncrc): an <c>IMAPAccount NAME</c> section (or an
    /// <c>IMAPStore</c> with the server settings inline) with <c>Host</c>, <c>Port</c> and <c>SSLType
    /// None|STARTTLS|IMAPS</c> (STARTTLS by default; isync 1.5 renames it <c>TLSType</c> and still reads the old name).
    /// The port defaults to 993 for IMAPS and 143 otherwise. Keywords are case-insensitive; a section ends at the next
    /// section keyword or an empty line (mbsync(1)).
    /// </summary>
    internal sealed class MbsyncConfigurator : ClientConfigurator
    {
        private static readonly string[] SectionKeywords = { "IMAPAccount", "IMAPStore", "MaildirStore", "Channel", "Group" };

        public override MailClient Client => MailClient.Mbsync;

        public override IEnumerable<ConfigLocation> Locate(UserHome home) =>
            new[] { home.Combine(".mbsyncrc"), Path.Combine(home.ConfigHome, "isyncrc") }.Where(File.Exists).Select(p => new ConfigLocation(p));

        public override ConfigLocation? Recognize(string path)
        {
            var name = Path.GetFileName(path);
            return (name == ".mbsyncrc" || name == "mbsyncrc" || name == "isyncrc") && File.Exists(path) ? new ConfigLocation(Path.GetFullPath(path)) : null;
        }

        public override IReadOnlyList<AccountRecord> Read(ConfigLocation location) =>
            Sections(KeywordFile.Parse(ConfigText.Read(location.Path))).Where(s => Get(s, "Host") != null).Select(s => Record(location, s)).ToArray();

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target)
        {
            var key = current.Key;
            var file = KeywordFile.Parse(ConfigText.Read(location.Path));
            var section = Sections(file).FirstOrDefault(s => s.Name == key)
                ?? throw new ClientConfigException("AccountNotFound", location.Path, $"There is no IMAPAccount '{key}' in '{location.Path}'.");
            var deprecated = section.Lines.Where(l => Deprecated.Contains(l.Keyword, StringComparer.OrdinalIgnoreCase)
                || (l.Keyword.Equals("Host", StringComparison.OrdinalIgnoreCase) && l.Value.StartsWith("imaps:", StringComparison.OrdinalIgnoreCase))).ToArray();
            if (deprecated.Length > 0)
            {
                // mbsync refuses SSLType beside them, and replacing them would also drop the TLS versions they choose.
                throw new ClientConfigException("SslConfigDeprecated", location.Path,
                    $"'{key}' in '{location.Path}' uses isync's old TLS options ({string.Join(", ", deprecated.Select(l => l.Keyword + " " + l.Value))}), which mbsync does not allow beside SSLType. "
                    + "Replace them with 'SSLType IMAPS|STARTTLS' (and SSLVersions) by hand, or remove them and run the command again.");
            }
            var wanted = new List<(string Keyword, string Value, bool Differs)>
            {
                (Find(section, "TLSType") != null ? "TLSType" : "SSLType", TypeName(target.Security), current.Security != target.Security),
                ("Port", target.Port.ToString(CultureInfo.InvariantCulture), current.Port != target.Port || Find(section, "Port") == null),
            };
            if (target.HostName != null)
            {
                wanted.Add(("Host", target.HostName, !string.Equals(current.HostName, target.HostName, StringComparison.OrdinalIgnoreCase)));
            }

            var edits = new List<SettingEdit>();
            foreach (var (keyword, value, differs) in wanted.Where(w => w.Differs))
            {
                var line = Find(section, keyword);
                var setting = $"{section.Header.Keyword} {key}: {keyword}";
                var edit = line != null ? file.Replace(line, value, setting) : file.Insert(section.Lines.Last(), keyword, value, setting);
                if (edit != null)
                {
                    edits.Add(edit);
                }
            }

            return edits;
        }

        private static AccountRecord Record(ConfigLocation location, Section section)
        {
            var type = Get(section, "TLSType") ?? Get(section, "SSLType");
            var host = Get(section, "Host")!;
            var legacyImaps = host.StartsWith("imaps:", StringComparison.OrdinalIgnoreCase) || IsYes(Get(section, "UseIMAPS"));
            var security = legacyImaps ? MailSecurity.Implicit
                : type == null ? (Get(section, "Tunnel") != null || !IsYes(Get(section, "RequireSSL") ?? "yes") ? MailSecurity.None : MailSecurity.StartTls)
                : type.Equals("IMAPS", StringComparison.OrdinalIgnoreCase) ? MailSecurity.Implicit
                : type.Equals("STARTTLS", StringComparison.OrdinalIgnoreCase) ? MailSecurity.StartTls
                : MailSecurity.None;
            var user = Get(section, "User");
            return new AccountRecord
            {
                Account = section.Name,
                EmailAddress = user != null && user.Contains("@") ? user : null,
                Role = MailRole.Incoming,
                Protocol = MailProtocol.Imap,
                HostName = host.StartsWith("imaps:", StringComparison.OrdinalIgnoreCase) || host.StartsWith("imap:", StringComparison.OrdinalIgnoreCase) ? host.Substring(host.IndexOf(':') + 1) : host,
                // isync 1.3's RequireSSL no: STARTTLS when offered, plaintext otherwise.
                Opportunistic = type == null && !legacyImaps && Get(section, "Tunnel") == null && !IsYes(Get(section, "RequireSSL") ?? "yes"),
                Port = int.TryParse(Get(section, "Port"), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0 ? port
                    : security == MailSecurity.Implicit ? 993 : 143,
                Security = security,
                ConfigPath = location.Path,
                Key = section.Name,
            };
        }

        /// <summary>isync 1.3's TLS options, which 1.4 still reads but does not allow beside SSLType.</summary>
        private static readonly string[] Deprecated = { "UseIMAPS", "RequireSSL", "UseSSLv2", "UseSSLv3", "UseTLSv1", "UseTLSv1.1", "UseTLSv1.2", "UseTLSv1.3" };

        private static bool IsYes(string? value) => value != null && (value.Equals("yes", StringComparison.OrdinalIgnoreCase) || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1");

        private static string TypeName(MailSecurity security) => security switch
        {
            MailSecurity.Implicit => "IMAPS",
            MailSecurity.StartTls => "STARTTLS",
            _ => "None",
        };

        private static KeywordLine? Find(Section section, string keyword) =>
            section.Lines.LastOrDefault(l => string.Equals(l.Keyword, keyword, StringComparison.OrdinalIgnoreCase));

        private static string? Get(Section section, string keyword) => Find(section, keyword)?.Value;

        private static List<Section> Sections(KeywordFile file)
        {
            var sections = new List<Section>();
            Section? current = null;
            var previousEnd = -1;
            foreach (var line in file.Lines)
            {
                // An empty line between two keyword lines ends the section (global options may follow).
                if (current != null && previousEnd >= 0 && HasEmptyLine(file.File.Text, previousEnd, line.LineStart))
                {
                    current = null;
                }

                previousEnd = line.LineEnd;
                if (SectionKeywords.Any(k => string.Equals(k, line.Keyword, StringComparison.OrdinalIgnoreCase)))
                {
                    current = line.Keyword.Equals("IMAPAccount", StringComparison.OrdinalIgnoreCase) || line.Keyword.Equals("IMAPStore", StringComparison.OrdinalIgnoreCase)
                        ? new Section(line.Value, line) : null;
                    if (current != null)
                    {
                        sections.Add(current);
                    }

                    continue;
                }

                current?.Lines.Add(line);
            }

            return sections;
        }

        private static bool HasEmptyLine(string text, int from, int to)
        {
            for (var start = from; start < to;)
            {
                var end = text.IndexOf('\n', start);
                end = end < 0 || end >= to ? to : end;
                if (text.Substring(start, end - start).Trim().Length == 0 && end < to)
                {
                    return true;
                }

                start = end + 1;
            }

            return false;
        }

        private sealed class Section
        {
            public Section(string name, KeywordLine header)
            {
                Name = name;
                Header = header;
            }

            public string Name { get; }

            public KeywordLine Header { get; }

            public List<KeywordLine> Lines { get; } = new List<KeywordLine>();
        }
    }
}
