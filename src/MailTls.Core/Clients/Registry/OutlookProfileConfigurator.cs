using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using MailTls.Endpoints;

namespace MailTls.Clients.Registry
{
    /// <summary>
    /// Outlook 2002 to 2021 and Microsoft 365's classic Outlook: POP3 and IMAP accounts of a mail profile, one key each
    /// under <c>&lt;profiles&gt;\&lt;profile&gt;\9375CFF0413111d3B88A00104B2A6676\&lt;8 hex digits&gt;</c>, where the profiles are
    /// under <c>Software\Microsoft\Windows NT\CurrentVersion\Windows Messaging Subsystem\Profiles</c> (2002–2010) or
    /// <c>Software\Microsoft\Office\15.0|16.0\Outlook\Profiles</c> (2013; 2016 and later).
    /// Sources: Microsoft's Account Management API reference (PROP_INET_SSL 0x0105, PROP_SMTP_SSL 0x0202,
    /// PROP_SMTP_SECURE_CONNECTION 0x020A with ENCRYPT_CONN_NO_SECURITY/SSL/TLS/AUTO = 0–3), the Office Customization
    /// Tool's PRF mapping of those ids to value names, and public readers of these keys (OpaqueMail, Metasploit's
    /// Outlook module).
    /// <list type="bullet">
    /// <item>Text values are REG_BINARY holding UTF-16LE and a NUL: <c>Account Name</c>, <c>Email</c>, <c>POP3 Server</c>,
    /// <c>IMAP Server</c>, <c>SMTP Server</c>.</item>
    /// <item>Ports are REG_DWORD: <c>POP3 Port</c>, <c>IMAP Port</c>, <c>SMTP Port</c>.</item>
    /// <item><c>POP3 Use SSL</c> / <c>IMAP Use SSL</c> (REG_DWORD): 1 is "This server requires an encrypted connection
    /// (SSL)". Outlook 2010 and later show None/SSL/TLS/Auto there; no source says which numbers TLS and Auto store,
    /// so 2 and 3 are read as STARTTLS and Auto, and MailTls writes only 0 and 1.</item>
    /// <item><c>SMTP Secure Connection</c> (REG_DWORD, Outlook 2007 and later): 0 none, 1 SSL, 2 TLS (STARTTLS), 3 Auto.
    /// Outlook 2002/2003 have the check box <c>SMTP Use SSL</c> (0/1) instead; like Outlook Express, whose transport they
    /// share, they are taken to speak STARTTLS with it on port 25 and SSL at once on other ports.</item>
    /// </list>
    /// </summary>
    internal sealed class OutlookProfileConfigurator : RegistryConfigurator
    {
        private const string AccountManager = "9375CFF0413111d3B88A00104B2A6676";
        private const string MessagingProfiles = @"Software\Microsoft\Windows NT\CurrentVersion\Windows Messaging Subsystem\Profiles";

        private static readonly (string Profiles, string? Version)[] ProfileRoots =
        {
            (@"Software\Microsoft\Office\16.0\Outlook\Profiles", "2016 or later"),
            (@"Software\Microsoft\Office\15.0\Outlook\Profiles", "2013"),
            (MessagingProfiles, null),
        };

        /// <summary>The Office versions whose Outlook used the Windows Messaging Subsystem profiles, newest first.</summary>
        private static readonly (string Office, string Version)[] MessagingVersions =
        {
            ("14.0", "2010"), ("12.0", "2007"), ("11.0", "2003"), ("10.0", "2002 (Office XP)"),
        };

        public OutlookProfileConfigurator(IRegistryStore registry, RegistryBackupFolder? backups = null)
            : base(registry, backups, "Outlook", new[] { "outlook" })
        {
        }

        public override MailClient Client => MailClient.Outlook;

        public override IEnumerable<ConfigLocation> LocateUnder(string root)
        {
            foreach (var (profiles, _) in ProfileRoots)
            {
                var parent = RegistryPath.Combine(root, profiles.Split('\\'));
                foreach (var profile in AccountKeys(parent))
                {
                    foreach (var account in AccountKeys(RegistryPath.Combine(profile, AccountManager)).Where(IsMailAccount))
                    {
                        yield return Location(account)!;
                    }
                }
            }
        }

        public override ConfigLocation? Recognize(string path) =>
            RegistryPath.Leaf(RegistryPath.Parent(path)).Equals(AccountManager, StringComparison.OrdinalIgnoreCase) && Registry.KeyExists(path) && IsMailAccount(path)
                ? Location(path)
                : null;

        public override IReadOnlyList<AccountRecord> Read(ConfigLocation location) =>
            ReadServers(location.Path, "Account Name", "Email", binary: true, (prefix, protocol) =>
            {
                var key = location.Path;
                var (security, opportunistic) = protocol == MailProtocol.Smtp ? SmtpSecurity(key) : IncomingSecurity(key, prefix);

                // Outlook writes every port; were one missing, its dialog would show 25 for SMTP whatever the encryption.
                var port = ReadDword(key, prefix + " Port") ?? (protocol == MailProtocol.Smtp ? 25 : WellKnownPorts.DefaultPort(protocol, security));
                if (protocol == MailProtocol.Smtp && security == MailSecurity.Implicit && port == 25 && Registry.GetValue(key, "SMTP Secure Connection") == null)
                {
                    // The check box on port 25 is STARTTLS (see the summary).
                    security = MailSecurity.StartTls;
                }

                return (port, security, opportunistic);
            });

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target)
        {
            var key = location.Path;
            var prefix = Servers.First(s => s.Protocol == current.Protocol).Prefix;
            var edits = new List<SettingEdit?>();
            if (current.Protocol == MailProtocol.Smtp)
            {
                edits.AddRange(SmtpEdits(location, target));
            }
            else
            {
                if (target.Security == MailSecurity.StartTls)
                {
                    throw new ClientConfigException("SslNotSupported", key,
                        $"MailTls writes Outlook's incoming encryption only as SSL on or off: Outlook 2010 and later also offer TLS, but no source documents how it is stored. Use -Security Implicit (port {WellKnownPorts.DefaultPort(current.Protocol, MailSecurity.Implicit)}), or choose TLS under More Settings > Advanced in Outlook itself.");
                }

                edits.Add(SetDword(key, prefix + " Use SSL", target.Security == MailSecurity.Implicit ? 1 : 0, 0));
            }

            edits.Add(SetDword(key, prefix + " Port", target.Port, null));
            if (target.HostName != null)
            {
                edits.Add(SetText(key, prefix + " Server", target.HostName, binary: true));
            }

            return edits.Where(e => e != null).Select(e => e!).ToArray();
        }

        public override IEnumerable<string> Caveats(ConfigLocation location, AccountRecord account, AccountTarget target)
        {
            var year = Year(location.ClientVersion);
            if (account.Protocol == MailProtocol.Smtp && target.Security == MailSecurity.Implicit && target.Port == 465 && (year == null || year <= 2003) && location.Path.IndexOf(MessagingProfiles, StringComparison.OrdinalIgnoreCase) >= 0)
            {
                yield return $"{(year == null ? "If this is Outlook 2002 (Office XP) or 2003: early versions" : $"Outlook {location.ClientVersion} before its service pack")} have problems with encrypted connections on port 465 (the seeds say so); install the latest service pack (Office XP SP3, Office 2003 SP2 or later) before the switch.";
            }

            foreach (var caveat in base.Caveats(location, account, target))
            {
                yield return caveat;
            }
        }

        private IEnumerable<SettingEdit?> SmtpEdits(ConfigLocation location, AccountTarget target)
        {
            var key = location.Path;
            var year = Year(location.ClientVersion);
            var secureConnection = Registry.GetValue(key, "SMTP Secure Connection") != null || year >= 2007;
            if (secureConnection)
            {
                yield return SetDword(key, "SMTP Secure Connection", target.Security switch { MailSecurity.Implicit => 1, MailSecurity.StartTls => 2, _ => 0 }, 0);
                if (Registry.GetValue(key, "SMTP Use SSL") != null)
                {
                    // Older tools wrote the check box too; it must not say otherwise.
                    yield return SetDword(key, "SMTP Use SSL", target.Security == MailSecurity.Implicit ? 1 : 0, 0);
                }

                yield break;
            }

            if (target.Security == MailSecurity.StartTls && target.Port != 25)
            {
                throw new ClientConfigException("SslNotSupported", key,
                    $"Outlook {location.ClientVersion ?? "2002–2003"} has only the SSL check box for SMTP: on port 25 it means STARTTLS, on port {target.Port} SSL at once, which a STARTTLS server refuses. Use -Security Implicit (port 465), or -Security StartTls -Port 25; give -ClientVersion 2007 (or later) if this Outlook is newer.");
            }

            yield return SetDword(key, "SMTP Use SSL", target.Security == MailSecurity.None ? 0 : 1, 0);
        }

        private (MailSecurity, bool) IncomingSecurity(string key, string prefix) => (ReadDword(key, prefix + " Use SSL") ?? 0) switch
        {
            0 => (MailSecurity.None, false),
            2 => (MailSecurity.StartTls, false),
            3 => (MailSecurity.None, true),
            _ => (MailSecurity.Implicit, false),
        };

        private (MailSecurity, bool) SmtpSecurity(string key)
        {
            var connection = ReadDword(key, "SMTP Secure Connection");
            if (connection != null)
            {
                return connection switch
                {
                    0 => (MailSecurity.None, false),
                    1 => (MailSecurity.Implicit, false),
                    2 => (MailSecurity.StartTls, false),
                    _ => (MailSecurity.None, true),
                };
            }

            return ((ReadDword(key, "SMTP Use SSL") ?? 0) != 0 ? MailSecurity.Implicit : MailSecurity.None, false);
        }

        private ConfigLocation? Location(string account)
        {
            var profile = RegistryPath.Parent(RegistryPath.Parent(account));
            var profiles = RegistryPath.Parent(profile);
            var (root, version) = ProfileRoots
                .Where(r => profiles.EndsWith("\\" + r.Profiles, StringComparison.OrdinalIgnoreCase))
                .Select(r => (profiles.Substring(0, profiles.Length - r.Profiles.Length - 1), r.Version))
                .FirstOrDefault();
            if (root == null)
            {
                return null;
            }

            // 2002–2010 share one place: the newest Office of that range with an Outlook key says which.
            version ??= MessagingVersions.Where(v => Registry.KeyExists(RegistryPath.Combine(root, "Software", "Microsoft", "Office", v.Office, "Outlook")))
                .Select(v => v.Version).FirstOrDefault();
            return new ConfigLocation(account, profile, version);
        }

        /// <summary>The year in a version ("2003", "2016 or later", "XP" = 2002, "365" = 2016), or null.</summary>
        internal static int? Year(string? version)
        {
            if (version == null)
            {
                return null;
            }

            var year = Regex.Match(version, @"(19|20)\d\d");
            if (year.Success)
            {
                return int.Parse(year.Value, CultureInfo.InvariantCulture);
            }

            return version.IndexOf("XP", StringComparison.OrdinalIgnoreCase) >= 0 ? 2002 : version.Contains("365") ? 2016 : (int?)null;
        }

        /// <summary>Exchange, HTTP and directory accounts share the key; a POP3 or IMAP account names its server.</summary>
        private bool IsMailAccount(string key) => Registry.GetValue(key, "POP3 Server") != null || Registry.GetValue(key, "IMAP Server") != null;
    }
}
