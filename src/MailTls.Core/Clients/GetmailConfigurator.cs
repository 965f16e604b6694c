using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MailTls.Clients.Formats;

namespace MailTls.Clients
{
    /// <summary>
    /// getmail 6: one account per rc file in $XDG_CONFIG_HOME/getmail/ (else ~/.getmail/): <c>getmailrc</c>, or every
    /// file there but oldmail-*, *.json and dotfiles. The <c>[retriever] type</c> says protocol and mode at once
    /// (<c>SimpleIMAPSSLRetriever</c> is IMAP over implicit TLS, <c>SimplePOP3Retriever</c> plain POP3, …); there is
    /// no STARTTLS (getmailcore of 6.18 has none), so only implicit TLS can secure it.
    /// </summary>
    internal sealed class GetmailConfigurator : ClientConfigurator
    {
        public override MailClient Client => MailClient.Getmail;

        public override IEnumerable<ConfigLocation> Locate(UserHome home)
        {
            var folder = new[] { Path.Combine(home.ConfigHome, "getmail"), home.Combine(".getmail") }.FirstOrDefault(Directory.Exists);
            if (folder == null)
            {
                return Array.Empty<ConfigLocation>();
            }

            var getmailrc = Path.Combine(folder, "getmailrc");
            var files = File.Exists(getmailrc) ? new[] { getmailrc }
                : Directory.GetFiles(folder).Where(f =>
                {
                    var name = Path.GetFileName(f);
                    return !name.StartsWith(".", StringComparison.Ordinal) && !name.StartsWith("oldmail-", StringComparison.Ordinal)
                        && !name.EndsWith(".json", StringComparison.Ordinal) && !name.Contains(".mailtls-");
                }).OrderBy(f => f, StringComparer.Ordinal).ToArray();
            return files.Select(Recognize).Where(l => l != null).Select(l => l!);
        }

        public override ConfigLocation? Recognize(string path)
        {
            if (!File.Exists(path) || new FileInfo(path).Length > 1024 * 1024)
            {
                return null;
            }

            // A getmail rc is a configparser file with a [retriever] section.
            return File.ReadAllText(path).Contains("[retriever]") ? new ConfigLocation(Path.GetFullPath(path)) : null;
        }

        public override IReadOnlyList<AccountRecord> Read(ConfigLocation location)
        {
            var retriever = IniDocument.Parse(ConfigText.Read(location.Path), colonSeparates: true).Section("retriever");
            var type = retriever?["type"];
            if (retriever == null || type == null || string.IsNullOrEmpty(retriever["server"]))
            {
                return Array.Empty<AccountRecord>();
            }

            var protocol = type.Contains("IMAP") ? MailProtocol.Imap : type.Contains("POP3") || type.Contains("SDPS") ? MailProtocol.Pop3 : (MailProtocol?)null;
            if (protocol == null)
            {
                return Array.Empty<AccountRecord>();
            }

            var security = type.Contains("SSL") ? MailSecurity.Implicit : MailSecurity.None;
            var user = retriever["username"];
            return new[]
            {
                new AccountRecord
                {
                    Account = (user != null ? user + "@" : string.Empty) + retriever["server"],
                    EmailAddress = user != null && user.Contains("@") ? user : null,
                    Role = MailRole.Incoming,
                    Protocol = protocol.Value,
                    HostName = retriever["server"]!,
                    Port = int.TryParse(retriever["port"], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0 ? port
                        : Endpoints.WellKnownPorts.DefaultPort(protocol.Value, security == MailSecurity.Implicit ? MailSecurity.Implicit : MailSecurity.StartTls),
                    Security = security,
                    ConfigPath = location.Path,
                    Key = "retriever",
                    // Without ca_certs getmail does not verify the server's certificate at all.
                    CertificateCheckOff = security == MailSecurity.Implicit && string.IsNullOrEmpty(retriever["ca_certs"]),
                },
            };
        }

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target)
        {
            var document = IniDocument.Parse(ConfigText.Read(location.Path), colonSeparates: true);
            var section = document.Section("retriever")!;
            var type = section["type"]!;
            if (type.Contains("SDPS"))
            {
                throw new ClientConfigException("SslNotSupported", location.Path, "getmail's SDPS retriever (Demon's POP3 variant) has no SSL variant: there is nothing to switch it to.");
            }

            if (target.Security == MailSecurity.StartTls)
            {
                throw new ClientConfigException("SslNotSupported", location.Path,
                    $"getmail has no STARTTLS: it secures {current.Protocol} only with implicit TLS. Use -Security Implicit (port {Endpoints.WellKnownPorts.DefaultPort(current.Protocol, MailSecurity.Implicit)}).");
            }

            var protocolName = current.Protocol == MailProtocol.Imap ? "IMAP" : "POP3";
            var plain = type.Replace(protocolName + "SSL", protocolName);
            var newType = target.Security == MailSecurity.Implicit ? plain.Replace(protocolName, protocolName + "SSL") : plain;
            var edits = new List<SettingEdit?>
            {
                document.Set(section, "type", newType),
                document.Set(section, "port", target.Port.ToString(CultureInfo.InvariantCulture)),
            };
            if (target.HostName != null)
            {
                edits.Add(document.Set(section, "server", target.HostName));
            }

            return edits.Where(e => e != null).Select(e => e!).ToArray();
        }
    }
}
