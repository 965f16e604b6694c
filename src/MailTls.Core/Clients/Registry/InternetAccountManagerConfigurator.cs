using System;
using System.Collections.Generic;
using System.Linq;
using MailTls.Endpoints;

namespace MailTls.Clients.Registry
{
    /// <summary>
    /// Outlook Express 5/6 (<c>Software\Microsoft\Internet Account Manager\Accounts\&lt;n&gt;</c>) and Outlook 98/2000 in
    /// "Internet Mail Only" mode (<c>Software\Microsoft\Office\Outlook\OMI Account Manager\Accounts\&lt;n&gt;</c>, the same
    /// account manager). Sources: OE's account-manager property table (acctman.cpp) and its transport code
    /// (ixpbase.cpp, smtptran.cpp) as mirrored publicly; Thunderbird's and Opera's OE importers (nsOESettings.cpp).
    /// <list type="bullet">
    /// <item>Text values are REG_SZ: <c>Account Name</c>, <c>POP3 Server</c>, <c>IMAP Server</c>, <c>SMTP Server</c>, <c>SMTP Email Address</c>.</item>
    /// <item>Numbers are REG_DWORD: <c>POP3 Port</c>, <c>IMAP Port</c>, <c>SMTP Port</c> (absent: 110, 143, 25).</item>
    /// <item><c>POP3/IMAP/SMTP Secure Connection</c> is a REG_DWORD yes/no: "This server requires a secure connection
    /// (SSL)". For POP3 and IMAP it means SSL at once, on any port. For SMTP it means STARTTLS on port 25 and SSL at
    /// once on any other port (ISF_SSLONSAMEPORT), so ticked on 587 it fails against a STARTTLS-only server.</item>
    /// </list>
    /// </summary>
    internal sealed class InternetAccountManagerConfigurator : RegistryConfigurator
    {
        private readonly string[] _accountsKeys;
        private readonly string? _version;

        public InternetAccountManagerConfigurator(MailClient client, string product, string[] accountsKeys, string[] processes, string? version,
            IRegistryStore registry, RegistryBackupFolder? backups = null)
            : base(registry, backups, product, processes)
        {
            Client = client;
            _accountsKeys = accountsKeys;
            _version = version;
        }

        public override MailClient Client { get; }

        public static InternetAccountManagerConfigurator OutlookExpress(IRegistryStore registry, RegistryBackupFolder? backups = null) =>
            new InternetAccountManagerConfigurator(MailClient.OutlookExpress, "Outlook Express", new[] { @"Software\Microsoft\Internet Account Manager\Accounts" },
                new[] { "msimn" }, null, registry, backups);

        /// <remarks>Outlook 98 kept the same keys under Office\8.0 (Thunderbird's Outlook importer reads both).</remarks>
        public static InternetAccountManagerConfigurator OutlookInternetMailOnly(IRegistryStore registry, RegistryBackupFolder? backups = null) =>
            new InternetAccountManagerConfigurator(MailClient.Outlook, "Outlook", new[]
            {
                @"Software\Microsoft\Office\Outlook\OMI Account Manager\Accounts",
                @"Software\Microsoft\Office\8.0\Outlook\OMI Account Manager\Accounts",
            }, new[] { "outlook" }, "98/2000 (Internet Mail Only)", registry, backups);

        public override IEnumerable<ConfigLocation> LocateUnder(string root) =>
            _accountsKeys.SelectMany(k => AccountKeys(RegistryPath.Combine(root, k.Split('\\'))))
                .Where(IsMailAccount)
                .Select(k => new ConfigLocation(k, clientVersion: _version));

        public override ConfigLocation? Recognize(string path) =>
            _accountsKeys.Any(k => RegistryPath.Parent(path).EndsWith("\\" + k, StringComparison.OrdinalIgnoreCase)) && Registry.KeyExists(path) && IsMailAccount(path)
                ? new ConfigLocation(path, clientVersion: _version)
                : null;

        public override IReadOnlyList<AccountRecord> Read(ConfigLocation location) =>
            ReadServers(location.Path, "Account Name", "SMTP Email Address", binary: false, (prefix, protocol) =>
            {
                var port = ReadDword(location.Path, prefix + " Port") ?? WellKnownPorts.DefaultPort(protocol, MailSecurity.None);
                var secure = (ReadDword(location.Path, prefix + " Secure Connection") ?? 0) != 0;
                return (port, !secure ? MailSecurity.None : protocol == MailProtocol.Smtp && port == 25 ? MailSecurity.StartTls : MailSecurity.Implicit, false);
            });

        public override IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target)
        {
            if (target.Security == MailSecurity.StartTls && current.Protocol != MailProtocol.Smtp)
            {
                throw new ClientConfigException("SslNotSupported", location.Path,
                    $"{Product} has only \"This server requires a secure connection (SSL)\" for {current.Protocol}, which means SSL at once: use -Security Implicit (port {WellKnownPorts.DefaultPort(current.Protocol, MailSecurity.Implicit)}).");
            }

            if (target.Security == MailSecurity.StartTls && target.Port != 25)
            {
                throw new ClientConfigException("SslNotSupported", location.Path,
                    $"{Product} speaks STARTTLS only on port 25; with SSL ticked on port {target.Port} it starts TLS at once, which a STARTTLS server refuses. Use -Security Implicit (port 465), or -Security StartTls -Port 25 where your provider does not block port 25.");
            }

            var key = location.Path;
            var prefix = Servers.First(s => s.Protocol == current.Protocol).Prefix;
            var edits = new List<SettingEdit?>
            {
                SetDword(key, prefix + " Secure Connection", target.Security == MailSecurity.None ? 0 : 1, 0),
                SetDword(key, prefix + " Port", target.Port, WellKnownPorts.DefaultPort(current.Protocol, MailSecurity.None)),
            };
            if (target.HostName != null)
            {
                edits.Add(SetText(key, prefix + " Server", target.HostName, binary: false));
            }

            return edits.Where(e => e != null).Select(e => e!).ToArray();
        }

        /// <summary>News and directory accounts share the key; a mail account has a POP3, IMAP or SMTP server.</summary>
        private bool IsMailAccount(string key) =>
            Servers.Any(s => Registry.GetValue(key, s.Prefix + " Server") != null);
    }
}
