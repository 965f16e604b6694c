using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MailTls.Clients.Formats;

namespace MailTls.Clients
{
    /// <summary>
    /// msmtp (~/.msmtprc or $XDG_CONFIG_HOME/msmtp/config): <c>defaults</c> and <c>account NAME [: PARENT,…]</c>
    /// sections of <c>keyword value</c> lines. A setting comes from the defaults above the account, then its parents,
    /// then its own lines. <c>tls on</c> with <c>tls_starttls on</c> (the default) is STARTTLS; with
    /// <c>tls_starttls off</c> it is implicit TLS; the port defaults to 465 for implicit TLS and 25 otherwise
    /// (msmtp(1), "Commands" and "port"). A change is written to the account's own lines, never to defaults other
    /// accounts share.
    /// </summary>
    internal sealed class MsmtpConfigurator : ClientConfigurator
    {
        public override MailClient Client => MailClient.Msmtp;

        public override IEnumerable<ConfigLocation> Locate(UserHome home) =>
            new[] { home.Combine(".msmtprc"), Path.Combine(home.ConfigHome, "msmtp", "config") }.Where(File.Exists).Select(p => new ConfigLocation(p));

        public override ConfigLocation? Recognize(string path)
        {
            var name = Path.GetFileName(path);
            var isConfig = name == ".msmtprc" || name == "msmtprc" || (name == "config" && Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) == "msmtp");
            return isConfig && File.Exists(path) ? new ConfigLocation(Path.GetFullPath(path)) : null;
        }

        public override IReadOnlyList<AccountRecord> Read(ConfigLocation location) =>
            Sections(KeywordFile.Parse(ConfigText.Read(location.Path))).Where(s => s.Effective.ContainsKey("host") && !(s.Name == "default" && s.Own.Count == 0)).Select(s => Record(location, s)).ToArray();

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target)
        {
            var key = current.Key;
            var file = KeywordFile.Parse(ConfigText.Read(location.Path));
            var section = Sections(file).FirstOrDefault(s => s.Name == key)
                ?? throw new ClientConfigException("AccountNotFound", location.Path, $"There is no account '{key}' in '{location.Path}'.");
            var wanted = new List<(string Keyword, string Value)>
            {
                ("tls", target.Security == MailSecurity.None ? "off" : "on"),
            };
            if (target.Security != MailSecurity.None)
            {
                wanted.Add(("tls_starttls", target.Security == MailSecurity.StartTls ? "on" : "off"));
            }

            wanted.Add(("port", target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (target.HostName != null)
            {
                wanted.Add(("host", target.HostName));
            }

            var edits = new List<SettingEdit>();
            var changed = new List<string>();
            foreach (var (keyword, value) in wanted)
            {
                if (!string.Equals(Effective(section, keyword), value, StringComparison.OrdinalIgnoreCase))
                {
                    edits.Add(Write(file, section, keyword, value));
                    changed.Add(keyword);
                }
            }

            // "account child : base" copies base's settings: keep what each child has now, so only the named account moves.
            // The alias "account default : base" is base itself and follows it.
            foreach (var child in Sections(file).Where(c => c.Parents.Contains(key) && !(c.Name == "default" && c.Own.Count == 0)))
            {
                foreach (var keyword in changed.Where(k => child.Own.All(l => l.Keyword != k)))
                {
                    edits.Add(Write(file, child, keyword, Effective(child, keyword)!));
                }
            }

            return edits;
        }

        private static SettingEdit Write(Formats.KeywordFile file, Section section, string keyword, string value)
        {
            var own = section.Own.LastOrDefault(l => l.Keyword == keyword);
            var setting = $"account {section.Name}: {keyword}";
            return own != null ? file.Replace(own, value, setting)! : file.Insert(section.Own.LastOrDefault() ?? section.Header, keyword, value, setting);
        }

        private static string? Effective(Section section, string keyword) =>
            Normalize(keyword, section.Effective.TryGetValue(keyword, out var value) ? value : Default(keyword, section.Effective));

        private static AccountRecord Record(ConfigLocation location, Section section)
        {
            var settings = section.Effective;
            var tls = On(Get(settings, "tls"), false);
            var security = !tls ? MailSecurity.None : On(Get(settings, "tls_starttls"), true) ? MailSecurity.StartTls : MailSecurity.Implicit;
            var port = int.TryParse(Get(settings, "port"), out var p) && p > 0 ? p : security == MailSecurity.Implicit ? 465 : 25;
            var from = Get(settings, "from");
            return new AccountRecord
            {
                Account = section.Name,
                EmailAddress = string.IsNullOrEmpty(from) ? null : from,
                Role = MailRole.Outgoing,
                Protocol = MailProtocol.Smtp,
                HostName = settings["host"],
                Port = port,
                Security = security,
                ConfigPath = location.Path,
                Key = section.Name,
                CertificateCheckOff = tls && (!On(Get(settings, "tls_certcheck"), true) || On(Get(settings, "tls_nocertcheck"), false)),
            };
        }

        private static string? Get(Dictionary<string, string> settings, string keyword) => settings.TryGetValue(keyword, out var value) ? value : null;

        private static string Default(string keyword, Dictionary<string, string> settings) => keyword switch
        {
            "tls_starttls" => "on",
            "port" => On(Get(settings, "tls"), false) && !On(Get(settings, "tls_starttls"), true) ? "465" : "25",
            _ => "off",
        };

        /// <summary>msmtp takes a bare <c>tls</c> as <c>tls on</c>.</summary>
        private static string? Normalize(string keyword, string? value) => keyword.StartsWith("tls", StringComparison.Ordinal) && string.IsNullOrEmpty(value) ? "on" : value;

        private static bool On(string? value, bool fallback) => value == null ? fallback : value.Length == 0 || string.Equals(value, "on", StringComparison.OrdinalIgnoreCase);

        private static List<Section> Sections(KeywordFile file)
        {
            var sections = new List<Section>();
            var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
            Section? current = null;
            var inDefaults = false;
            foreach (var line in file.Lines)
            {
                if (line.Keyword == "defaults")
                {
                    inDefaults = true;
                    current = null;
                    continue;
                }

                if (line.Keyword == "account")
                {
                    inDefaults = false;
                    var colon = line.Value.IndexOf(':');
                    var name = (colon < 0 ? line.Value : line.Value.Substring(0, colon)).Trim();
                    current = new Section(name, line, new Dictionary<string, string>(defaults, StringComparer.Ordinal));
                    if (colon >= 0)
                    {
                        foreach (var parent in line.Value.Substring(colon + 1).Split(',').Select(p => p.Trim()))
                        {
                            current.Parents.Add(parent);
                            var inherited = sections.LastOrDefault(s => s.Name == parent);
                            foreach (var pair in inherited?.Effective ?? new Dictionary<string, string>())
                            {
                                current.Effective[pair.Key] = pair.Value;
                            }
                        }
                    }

                    sections.RemoveAll(s => s.Name == name);
                    sections.Add(current);
                    continue;
                }

                if (inDefaults)
                {
                    defaults[line.Keyword] = line.Value;
                }
                else if (current != null)
                {
                    current.Own.Add(line);
                    current.Effective[line.Keyword] = line.Value;
                }
            }

            return sections;
        }

        private sealed class Section
        {
            public Section(string name, KeywordLine header, Dictionary<string, string> effective)
            {
                Name = name;
                Header = header;
                Effective = effective;
            }

            public string Name { get; }

            public KeywordLine Header { get; }

            public List<KeywordLine> Own { get; } = new List<KeywordLine>();

            /// <summary>The accounts it copies its settings from ("account NAME : PARENT,…").</summary>
            public List<string> Parents { get; } = new List<string>();

            public Dictionary<string, string> Effective { get; }
        }
    }
}
