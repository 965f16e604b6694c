using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MailTls.Clients.Formats;

namespace MailTls.Clients
{
    /// <summary>
    /// Netscape Communicator/Messenger 4.x keeps one set of mail servers in its own preferences file (Unix
    /// ~/.netscape/preferences.js, Windows …\Users\NAME\prefs.js), in the same user_pref syntax but older keys:
    /// <c>mail.server_type</c> 0 POP3 / 1 IMAP, <c>network.hosts.pop_server</c>, <c>network.hosts.imap_servers</c>
    /// (a list of host[:port]) with <c>mail.imap.server.HOST.isSecure</c>, <c>network.hosts.smtp_server</c> with
    /// <c>mail.smtp.ssl</c> 0 never / 1 if possible / 2 always (STARTTLS). POP3 has no SSL at all; 4.7.5 has none for
    /// anything (the seeds; Mozilla's nsMessengerMigrator, which read these keys).
    /// </summary>
    internal static class Netscape4Prefs
    {
        private const string Imap = "imap:";

        /// <summary>Whether a prefs file is a 4.x one: old server keys and no account manager.</summary>
        public static bool IsNetscape4(string path)
        {
            if (!File.Exists(path))
            {
                return false;
            }

            var text = File.ReadAllText(path);
            return text.Contains("network.hosts.") && !text.Contains("mail.accountmanager.accounts");
        }

        public static IReadOnlyList<AccountRecord> Read(ConfigLocation location)
        {
            var prefs = PrefsFile.Parse(ConfigText.Read(location.Path));
            var email = prefs.String("mail.identity.useremail");
            var name = string.IsNullOrEmpty(email) ? null : email;
            var noSsl = NoSslAtAll(location.ClientVersion);
            var records = new List<AccountRecord>();
            var check = prefs.Bool("mail.check_new_mail") == true ? prefs.Int("mail.check_time") ?? 10 : (int?)null;

            // One server of the one account 4.x has: what differs per server is given, the rest is the account's.
            void Add(string key, MailRole role, MailProtocol protocol, string host, int port, MailSecurity security, string? tlsUnsupported, bool opportunistic = false) =>
                records.Add(new AccountRecord
                {
                    Account = name ?? host,
                    EmailAddress = name,
                    Role = role,
                    Protocol = protocol,
                    HostName = host,
                    Port = port,
                    Security = security,
                    Opportunistic = opportunistic,
                    ConfigPath = location.Path,
                    Key = key,
                    CheckIntervalMinutes = role == MailRole.Incoming ? check : null,
                    TlsUnsupported = tlsUnsupported,
                });

            if ((prefs.Int("mail.server_type") ?? 0) == 1)
            {
                foreach (var entry in prefs.List("network.hosts.imap_servers"))
                {
                    var (host, port) = HostPort(entry);
                    var secure = prefs.Bool($"mail.imap.server.{entry}.isSecure") == true;
                    Add(Imap + entry, MailRole.Incoming, MailProtocol.Imap, host, port ?? (secure ? 993 : 143), secure ? MailSecurity.Implicit : MailSecurity.None, noSsl);
                }
            }
            else if (prefs.String("network.hosts.pop_server") is string pop && pop.Length > 0)
            {
                var (host, port) = HostPort(pop);
                Add("pop", MailRole.Incoming, MailProtocol.Pop3, host, port ?? 110, MailSecurity.None,
                    noSsl ?? "Netscape Messenger 4.x has no SSL for POP3 (4.7.9 secures IMAP only).");
            }

            if (prefs.String("network.hosts.smtp_server") is string smtp && smtp.Length > 0)
            {
                var (host, port) = HostPort(smtp);
                var ssl = prefs.Int("mail.smtp.ssl") ?? 0;
                Add("smtp", MailRole.Outgoing, MailProtocol.Smtp, host, port ?? 25, ssl == 2 ? MailSecurity.StartTls : MailSecurity.None, noSsl, opportunistic: ssl == 1);
            }

            return records;
        }

        public static IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target)
        {
            var prefs = PrefsFile.Parse(ConfigText.Read(location.Path));

            if (target.Security != MailSecurity.None && NoSslAtAll(location.ClientVersion) is string none)
            {
                throw Unsupported(location, none);
            }

            var edits = new List<SettingEdit?>();
            switch (current.Protocol)
            {
                case MailProtocol.Pop3 when target.Security != MailSecurity.None:
                    throw Unsupported(location, "Netscape Messenger 4.x has no SSL for POP3 (4.7.9 secures IMAP only). Switch the account to IMAP, or upgrade the client.");
                case MailProtocol.Pop3:
                    edits.Add(prefs.Set("network.hosts.pop_server", Entry(target.HostName ?? current.HostName, target.Port, 110)));
                    break;
                case MailProtocol.Imap:
                    var entry = current.Key.Substring(Imap.Length);
                    if (target.Security == MailSecurity.StartTls)
                    {
                        throw Unsupported(location, "Netscape Messenger 4.x has only \"Use secure connection (SSL)\" for IMAP, not STARTTLS. Use -Security Implicit (port 993).");
                    }

                    // The list entry names the server's other prefs (mail.imap.server.ENTRY.*), so it cannot be renamed here.
                    var newEntry = Entry(target.HostName ?? current.HostName, target.Port, target.Security == MailSecurity.Implicit ? 993 : 143);
                    if (!string.Equals(newEntry, entry, StringComparison.OrdinalIgnoreCase))
                    {
                        throw Unsupported(location,
                            $"Netscape 4.x keys an IMAP server's settings by its name '{entry}', so MailTls does not rename it to '{newEntry}'. Change the server in Netscape's Mail Servers dialog, or use the port that needs no change ({(target.Security == MailSecurity.Implicit ? 993 : 143)}).");
                    }

                    edits.Add(prefs.Set($"mail.imap.server.{entry}.isSecure", target.Security == MailSecurity.Implicit));
                    break;
                default:
                    if (target.Security == MailSecurity.Implicit)
                    {
                        throw Unsupported(location, "Netscape Messenger 4.x secures outgoing mail with STARTTLS (\"Use SSL or TLS for outgoing messages: Always\"), not SSL on port 465. Use -Security StartTls.");
                    }

                    edits.Add(prefs.Set("mail.smtp.ssl", target.Security == MailSecurity.StartTls ? 2 : 0));
                    edits.Add(prefs.Set("network.hosts.smtp_server", Entry(target.HostName ?? current.HostName, target.Port, 25)));
                    break;
            }

            return edits.Where(e => e != null).Select(e => e!).ToArray();
        }

        /// <summary>Without a known version: say which 4.x versions cannot do it (a warning, never a silent no-op).</summary>
        public static IEnumerable<string> Caveats(ConfigLocation location, AccountTarget target)
        {
            if (location.ClientVersion == null && target.Security != MailSecurity.None)
            {
                yield return "The Netscape 4.x version is not known: Netscape Messenger 4.7.5 (and 3.x) has no SSL at all, so this change only works from 4.7.9 on. Give -ClientVersion to check.";
            }
        }

        private static string? NoSslAtAll(string? version)
        {
            if (version == null)
            {
                return null;
            }

            // Exactly what the seeds say: 3.x and 4.7.5 have no SSL; other 4.x versions are not known not to.
            var known = Version.TryParse(version.Trim(), out var parsed) ? parsed : null;
            return known != null && (known.Major < 4 || known == new Version(4, 7, 5))
                ? $"Netscape {version} has no SSL (the seeds: 3.x and 4.7.5 do not support it; 4.7.9 secures IMAP only)."
                : null;
        }

        private static ClientConfigException Unsupported(ConfigLocation location, string message) =>
            new ClientConfigException("SslNotSupported", location.Path, message);

        private static (string Host, int? Port) HostPort(string entry)
        {
            var colon = entry.LastIndexOf(':');
            return colon > 0 && int.TryParse(entry.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                ? (entry.Substring(0, colon), port) : (entry, null);
        }

        private static string Entry(string host, int port, int defaultPort) =>
            port == defaultPort ? host : host + ":" + port.ToString(CultureInfo.InvariantCulture);
    }
}
