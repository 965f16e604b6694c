using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MailTls.Clients.Formats;

namespace MailTls.Clients
{
    /// <summary>
    /// Eudora for Windows (Eudora.ini in %APPDATA%\Qualcomm\Eudora): the dominant personality in [Settings], the others
    /// listed in [Personalities] and kept in their own [Persona-NAME] sections, which fall back to [Settings] for a key
    /// they lack. <c>SSLReceiveUse</c> and <c>SSLSendUse</c>: 0 never, 1 STARTTLS if available, 2 required on the
    /// alternate port (implicit TLS: SSLPOPAlternatePort 995, SSLIMAPAlternatePort 993, SSLSMTPAlternatePort 465),
    /// 3 required STARTTLS (POPPort, IMAPPort, SMTPPort or SubmissionPort). Source: Eudora 7.1 for Windows, as the
    /// Computer History Museum released it; the seeds' "Required, Alternate Port" and "Required, STARTTLS".
    /// </summary>
    internal sealed class EudoraConfigurator : ClientConfigurator
    {
        private const string Dominant = "Settings";

        public override MailClient Client => MailClient.Eudora;

        public override IEnumerable<ConfigLocation> Locate(UserHome home)
        {
            var ini = Path.Combine(home.AppData, "Qualcomm", "Eudora", "Eudora.ini");
            return File.Exists(ini) ? new[] { new ConfigLocation(ini) } : Array.Empty<ConfigLocation>();
        }

        public override ConfigLocation? Recognize(string path) =>
            string.Equals(Path.GetFileName(path), "eudora.ini", StringComparison.OrdinalIgnoreCase) && File.Exists(path) ? new ConfigLocation(Path.GetFullPath(path)) : null;

        public override string? RunningReason(ConfigLocation location) =>
            RunningProcess.Find("eudora", "Eudora") != null ? "Eudora is running; it writes Eudora.ini when it exits." : null;

        public override IReadOnlyList<AccountRecord> Read(ConfigLocation location)
        {
            var document = IniDocument.Parse(ConfigText.Read(location.Path));
            var records = new List<AccountRecord>();
            foreach (var (name, section) in Personalities(document))
            {
                string? Get(string key) => section.Get(key) ?? document.Section(Dominant)?.Get(key);
                var imap = Get("UsesIMAP") == "1";
                var account = Get("POPAccount");
                var host = Get("PopServer") ?? (account != null && account.Contains("@") ? account.Substring(account.LastIndexOf('@') + 1) : null);
                var address = Get("ReturnAddress") ?? account;
                if (!string.IsNullOrEmpty(host))
                {
                    var protocol = imap ? MailProtocol.Imap : MailProtocol.Pop3;
                    var (security, opportunistic) = Mode(Get("SSLReceiveUse"));
                    var port = security == MailSecurity.Implicit
                        ? Number(Get(imap ? "SSLIMAPAlternatePort" : "SSLPOPAlternatePort"), imap ? 993 : 995)
                        : Number(Get(imap ? "IMAPPort" : "POPPort"), imap ? 143 : 110);
                    records.Add(Record(location, name, address, MailRole.Incoming, protocol, host!, port, security, opportunistic));
                }

                var smtp = Get("SMTPServer");
                if (!string.IsNullOrEmpty(smtp))
                {
                    var (security, opportunistic) = Mode(Get("SSLSendUse"));
                    var port = security == MailSecurity.Implicit ? Number(Get("SSLSMTPAlternatePort"), 465)
                        : Get("UseSubmissionPort") == "1" ? Number(Get("SubmissionPort"), 587) : Number(Get("SMTPPort"), 25);
                    records.Add(Record(location, name, address, MailRole.Outgoing, MailProtocol.Smtp, smtp!, port, security, opportunistic));
                }
            }

            return records;
        }

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target)
        {
            var document = IniDocument.Parse(ConfigText.Read(location.Path));
            var personality = current.Key.Substring(0, current.Key.LastIndexOf(':'));
            var section = Personalities(document).First(p => p.Name == personality).Section;
            var incoming = current.Role == MailRole.Incoming;
            var imap = current.Protocol == MailProtocol.Imap;
            var mode = target.Security switch
            {
                MailSecurity.Implicit => "2",
                MailSecurity.StartTls => "3",
                _ => "0",
            };
            string? Get(string k) => section.Get(k) ?? document.Section(Dominant)?.Get(k);
            var portKey = target.Security == MailSecurity.Implicit
                ? (incoming ? (imap ? "SSLIMAPAlternatePort" : "SSLPOPAlternatePort") : "SSLSMTPAlternatePort")
                : incoming ? (imap ? "IMAPPort" : "POPPort") : Get("UseSubmissionPort") == "1" ? "SubmissionPort" : "SMTPPort";
            var settings = new List<(string Key, string Value)> { (incoming ? "SSLReceiveUse" : "SSLSendUse", mode), (portKey, target.Port.ToString(CultureInfo.InvariantCulture)) };
            if (target.HostName != null)
            {
                settings.Add((incoming ? "PopServer" : "SMTPServer", target.HostName));
            }

            var edits = new List<SettingEdit?>();
            foreach (var (name, value) in settings)
            {
                if (Get(name) == value)
                {
                    continue;
                }

                // Into the personality's own section: [Settings] only for the dominant one, which the others fall back to,
                // so each other personality that took this key from [Settings] keeps the value it had.
                var old = Get(name);
                edits.Add(document.Set(section, name, value, ignoreCase: true));
                if (personality == "Dominant" && old != null)
                {
                    foreach (var (_, other) in Personalities(document).Skip(1).Where(p => p.Section.Get(name) == null))
                    {
                        edits.Add(document.Set(other, name, old, ignoreCase: true));
                    }
                }
            }

            return edits.Where(e => e != null).Select(e => e!).ToArray();
        }

        /// <summary>The personalities that have a section of their own (one listed without a section has no settings of its own).</summary>
        private static IEnumerable<(string Name, IniSection Section)> Personalities(IniDocument document)
        {
            if (document.Section(Dominant) is IniSection dominant)
            {
                yield return ("Dominant", dominant);
            }

            foreach (var entry in document.Section("Personalities")?.Entries ?? new List<IniEntry>())
            {
                var sectionName = entry.Value.Trim();
                var name = sectionName.StartsWith("Persona-", StringComparison.OrdinalIgnoreCase) ? sectionName.Substring("Persona-".Length) : sectionName;
                if (document.Sections.FirstOrDefault(s => string.Equals(s.Name, sectionName, StringComparison.OrdinalIgnoreCase)) is IniSection section)
                {
                    yield return (name, section);
                }
            }
        }

        private static AccountRecord Record(ConfigLocation location, string personality, string? address, MailRole role, MailProtocol protocol, string host, int port,
            MailSecurity security, bool opportunistic) => new AccountRecord
            {
                Account = personality == "Dominant" ? address ?? "Dominant" : personality,
                EmailAddress = address != null && address.Contains("@") ? address : null,
                Role = role,
                Protocol = protocol,
                HostName = host,
                Port = port,
                Security = security,
                Opportunistic = opportunistic,
                ConfigPath = location.Path,
                Key = personality + ":" + role,
            };

        private static (MailSecurity, bool Opportunistic) Mode(string? value) => value switch
        {
            "2" => (MailSecurity.Implicit, false),
            "3" => (MailSecurity.StartTls, false),
            "0" => (MailSecurity.None, false),

            // 1, Eudora's default: STARTTLS when the server offers it.
            _ => (MailSecurity.None, true),
        };

        private static int Number(string? value, int fallback) =>
            int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : fallback;
    }
}
