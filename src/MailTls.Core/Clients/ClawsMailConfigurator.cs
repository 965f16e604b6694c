using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MailTls.Clients.Formats;

namespace MailTls.Clients
{
    /// <summary>
    /// Claws Mail (~/.claws-mail/accountrc): one <c>[Account: N]</c> section per account. <c>protocol</c> 0 is POP3
    /// and 1 IMAP4 (prefs_account.h RecvProtocol); <c>ssl_pop</c>, <c>ssl_imap</c>, <c>ssl_smtp</c> are 0 none,
    /// 1 SSL tunnel (implicit TLS), 2 STARTTLS (ssl.h SSLType). A port counts only with <c>set_popport=1</c> (and
    /// imap, smtp); otherwise it follows the mode: 995/110, 993/143, 465/25. The check interval is
    /// <c>autochk_interval</c> in seconds, in clawsrc [Common] or per account (Claws Mail 4.1 source).
    /// </summary>
    internal sealed class ClawsMailConfigurator : ClientConfigurator
    {
        public override MailClient Client => MailClient.ClawsMail;

        public override IEnumerable<ConfigLocation> Locate(UserHome home)
        {
            var accountrc = home.Combine(".claws-mail", "accountrc");
            return File.Exists(accountrc) ? new[] { Location(accountrc) } : Array.Empty<ConfigLocation>();
        }

        public override ConfigLocation? Recognize(string path)
        {
            var full = Path.GetFullPath(path);
            var accountrc = Directory.Exists(full) ? Path.Combine(full, "accountrc") : full;
            return Path.GetFileName(accountrc) == "accountrc" && File.Exists(accountrc) ? Location(accountrc) : null;
        }

        public override string? RunningReason(ConfigLocation location) =>
            RunningProcess.Find("claws-mail") != null ? "Claws Mail is running; it rewrites accountrc from memory." : null;

        public override IReadOnlyList<AccountRecord> Read(ConfigLocation location)
        {
            var document = IniDocument.Parse(ConfigText.Read(location.Path));
            var common = CommonInterval(location);
            var records = new List<AccountRecord>();
            foreach (var section in document.Sections.Where(s => s.Name.StartsWith("Account:", StringComparison.Ordinal)))
            {
                var id = section.Name.Substring("Account:".Length).Trim();
                var name = section["account_name"] ?? section["address"] ?? id;
                var address = section["address"];
                var protocol = section["protocol"] switch
                {
                    "0" => MailProtocol.Pop3,
                    "1" => MailProtocol.Imap,
                    _ => (MailProtocol?)null,
                };
                var receive = section["receive_server"];
                if (protocol != null && !string.IsNullOrEmpty(receive))
                {
                    var prefix = protocol == MailProtocol.Pop3 ? "pop" : "imap";
                    var useCustom = section["autochk_use_custom"] == "1" && section["autochk_use_default"] == "0";
                    var interval = useCustom && int.TryParse(section["autochk_interval"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds / 60 : common;
                    records.Add(Record(location, section, id + ":Incoming", name, address, MailRole.Incoming, protocol.Value, receive!, prefix, interval));
                }

                var smtp = section["smtp_server"];
                if (!string.IsNullOrEmpty(smtp))
                {
                    records.Add(Record(location, section, id + ":Outgoing", name, address, MailRole.Outgoing, MailProtocol.Smtp, smtp!, "smtp", null));
                }
            }

            return records;
        }

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target)
        {
            var document = IniDocument.Parse(ConfigText.Read(location.Path));

            var section = document.Section("Account: " + current.Key.Split(':')[0])!;
            var prefix = current.Protocol == MailProtocol.Pop3 ? "pop" : current.Protocol == MailProtocol.Imap ? "imap" : "smtp";
            var edits = new List<SettingEdit?>
            {
                document.Set(section, "ssl_" + prefix, target.Security == MailSecurity.Implicit ? "1" : target.Security == MailSecurity.StartTls ? "2" : "0"),
                document.Set(section, "set_" + prefix + "port", "1"),
                document.Set(section, prefix + "_port", target.Port.ToString(CultureInfo.InvariantCulture)),
            };
            if (target.HostName != null)
            {
                edits.Add(document.Set(section, current.Role == MailRole.Outgoing ? "smtp_server" : "receive_server", target.HostName));
            }

            return edits.Where(e => e != null).Select(e => e!).ToArray();
        }

        private static AccountRecord Record(ConfigLocation location, IniSection section, string key, string name, string? address, MailRole role, MailProtocol protocol,
            string host, string prefix, int? interval)
        {
            var security = section["ssl_" + prefix] switch
            {
                "1" => MailSecurity.Implicit,
                "2" => MailSecurity.StartTls,
                _ => MailSecurity.None,
            };
            var fallback = protocol == MailProtocol.Smtp ? (security == MailSecurity.Implicit ? 465 : 25) : Endpoints.WellKnownPorts.DefaultPort(protocol, security == MailSecurity.Implicit ? MailSecurity.Implicit : MailSecurity.StartTls);
            var port = section["set_" + prefix + "port"] == "1" && int.TryParse(section[prefix + "_port"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : fallback;
            return new AccountRecord
            {
                Account = name,
                EmailAddress = string.IsNullOrEmpty(address) ? null : address,
                Role = role,
                Protocol = protocol,
                HostName = host,
                Port = port,
                Security = security,
                ConfigPath = location.Path,
                Key = key,
                CheckIntervalMinutes = interval,
            };
        }

        /// <summary>clawsrc's automatic check, in minutes, when it is on.</summary>
        private static int? CommonInterval(ConfigLocation location)
        {
            var clawsrc = Path.Combine(location.Profile!, "clawsrc");
            if (!File.Exists(clawsrc))
            {
                return null;
            }

            try
            {
                var common = IniDocument.Parse(ConfigText.Read(clawsrc)).Section("Common");
                return common?["autochk_newmail"] == "1" && int.TryParse(common["autochk_interval"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                    ? seconds / 60 : null;
            }
            catch (ClientConfigException)
            {
                return null;
            }
        }

        private static ConfigLocation Location(string accountrc) => new ConfigLocation(accountrc, Path.GetDirectoryName(accountrc));
    }
}
