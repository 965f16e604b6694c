using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MailTls.Clients.Formats;

namespace MailTls.Clients
{
    /// <summary>
    /// GNOME Evolution: each source is a GLib key file in <c>$XDG_CONFIG_HOME/evolution/sources/UID.source</c>. A mail
    /// account (<c>[Mail Account] BackendName=imapx|pop</c>) and a transport (<c>[Mail Transport] BackendName=smtp</c>)
    /// each keep <c>[Authentication] Host/Port/User</c> and <c>[Security] Method=none|ssl-on-alternate-port|
    /// starttls-on-standard-port</c>; a missing [Security] group means none (ESourceSecurity's default; Port 0 is the
    /// protocol's default). The identity (<c>[Mail Identity] Address</c>, <c>[Mail Submission] TransportUid</c>)
    /// names the address. Sources: evolution-data-server 3.46 e-source-security.c, camel-enums.h.
    /// </summary>
    internal sealed class EvolutionConfigurator : ClientConfigurator
    {
        private const string Implicit = "ssl-on-alternate-port";
        private const string StartTls = "starttls-on-standard-port";

        public override MailClient Client => MailClient.Evolution;

        public override IEnumerable<ConfigLocation> Locate(UserHome home)
        {
            var sources = Path.Combine(home.ConfigHome, "evolution", "sources");
            return Directory.Exists(sources) ? new[] { new ConfigLocation(sources, sources) } : Array.Empty<ConfigLocation>();
        }

        public override ConfigLocation? Recognize(string path)
        {
            var full = Path.GetFullPath(path);
            var folder = Directory.Exists(full) ? full : full.EndsWith(".source", StringComparison.Ordinal) && File.Exists(full) ? Path.GetDirectoryName(full) : null;
            return folder != null && Directory.GetFiles(folder, "*.source").Length > 0 ? new ConfigLocation(folder, folder) : null;
        }

        public override string? RunningReason(ConfigLocation location) =>
            RunningProcess.Find("evolution") is string name ? $"Evolution ({name}) is running and keeps its accounts in memory." : null;

        public override IReadOnlyList<AccountRecord> Read(ConfigLocation location)
        {
            var sources = Sources(location);
            var records = new List<AccountRecord>();
            foreach (var (uid, source) in sources)
            {
                var account = source.Section("Mail Account");
                var transport = source.Section("Mail Transport");
                var backend = account?["BackendName"] ?? transport?["BackendName"];
                var protocol = backend == "imapx" || backend == "imap" ? MailProtocol.Imap : backend == "pop" ? MailProtocol.Pop3 : backend == "smtp" ? MailProtocol.Smtp : (MailProtocol?)null;
                var host = source.Section("Authentication")?["Host"];
                if (protocol == null || string.IsNullOrEmpty(host))
                {
                    continue;
                }

                var security = Mode(source.Section("Security")?["Method"]);
                var port = int.TryParse(source.Section("Authentication")?["Port"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0 ? p
                    : security == MailSecurity.Implicit ? Endpoints.WellKnownPorts.DefaultPort(protocol.Value, MailSecurity.Implicit)
                    : protocol == MailProtocol.Smtp ? 25 : Endpoints.WellKnownPorts.DefaultPort(protocol.Value, MailSecurity.StartTls);
                var parent = source.Section("Data Source")?["Parent"];
                var owner = protocol == MailProtocol.Smtp && !string.IsNullOrEmpty(parent) ? sources.FirstOrDefault(s => s.Uid == parent).Source : source;
                var identity = protocol == MailProtocol.Smtp
                    ? sources.FirstOrDefault(s => s.Source.Section("Mail Submission")?["TransportUid"] == uid).Source
                    : sources.FirstOrDefault(s => s.Source.Section("Data Source")?["Parent"] == uid && s.Source.Section("Mail Identity") != null).Source;
                var address = identity?.Section("Mail Identity")?["Address"];
                var refresh = source.Section("Refresh");
                records.Add(new AccountRecord
                {
                    Account = owner?.Section("Data Source")?["DisplayName"] ?? address ?? host!,
                    EmailAddress = string.IsNullOrEmpty(address) ? null : address,
                    Role = protocol == MailProtocol.Smtp ? MailRole.Outgoing : MailRole.Incoming,
                    Protocol = protocol.Value,
                    HostName = host!,
                    Port = port,
                    Security = security,
                    ConfigPath = source.File.Path,
                    Key = uid,
                    CheckIntervalMinutes = protocol == MailProtocol.Smtp || refresh?["Enabled"] == "false" ? null
                        : int.TryParse(refresh?["IntervalMinutes"], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) ? minutes : 60,
                });
            }

            return records;
        }

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target)
        {
            var (_, source) = Sources(location).FirstOrDefault(s => s.Uid == current.Key);
            if (source == null)
            {
                throw new ClientConfigException("AccountNotFound", location.Path, $"There is no mail source '{current.Key}' in '{location.Path}'.");
            }

            var method = target.Security == MailSecurity.Implicit ? Implicit : target.Security == MailSecurity.StartTls ? StartTls : "none";
            var edits = new List<SettingEdit?>
            {
                source!.Set("Security", "Method", method),
                source.Set("Authentication", "Port", target.Port.ToString(CultureInfo.InvariantCulture)),
            };
            if (target.HostName != null)
            {
                edits.Add(source.Set("Authentication", "Host", target.HostName));
            }

            return edits.Where(e => e != null).Select(e => e!).ToArray();
        }

        private static MailSecurity Mode(string? method) => method switch
        {
            Implicit => MailSecurity.Implicit,
            StartTls => MailSecurity.StartTls,
            _ => MailSecurity.None,
        };

        private static List<(string Uid, IniDocument Source)> Sources(ConfigLocation location) =>
            Directory.GetFiles(location.Path, "*.source").OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => (Path.GetFileNameWithoutExtension(f), IniDocument.Parse(ConfigText.Read(f)))).ToList();
    }
}
