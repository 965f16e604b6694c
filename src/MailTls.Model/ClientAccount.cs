using System.Collections.Generic;
using System.Linq;

namespace MailTls
{
    /// <summary>One server setting of a mail client's account, as Get-ClientSsl read it: where mail goes in or out, and how it is secured.</summary>
    public sealed class ClientAccount
    {
        internal ClientAccount(MailClient client, string? profile, string account, string? emailAddress, MailRole role, MailProtocol protocol,
            string hostName, int port, MailSecurity security, string configPath, string accountKey, int? checkIntervalMinutes,
            string? clientVersion, IReadOnlyList<Finding> findings, Verdict verdict)
        {
            Client = client;
            Profile = profile;
            Account = account;
            EmailAddress = emailAddress;
            Role = role;
            Protocol = protocol;
            HostName = hostName;
            Port = port;
            Security = security;
            ConfigPath = configPath;
            AccountKey = accountKey;
            CheckIntervalMinutes = checkIntervalMinutes;
            ClientVersion = clientVersion;
            Findings = findings.ToArray();
            Verdict = verdict;
        }

        /// <summary>The client.</summary>
        public MailClient Client { get; }

        /// <summary>The profile or settings folder (Thunderbird profile, Claws Mail folder), or null for a single file.</summary>
        public string? Profile { get; }

        /// <summary>The account's name as the client shows it (its e-mail address where there is no name).</summary>
        public string Account { get; }

        /// <summary>The e-mail address of the account, where the client's settings say it.</summary>
        public string? EmailAddress { get; }

        /// <summary>Incoming (IMAP, POP3) or Outgoing (SMTP).</summary>
        public MailRole Role { get; }

        /// <summary>The protocol.</summary>
        public MailProtocol Protocol { get; }

        /// <summary>The server.</summary>
        public string HostName { get; }

        /// <summary>The port the client connects to (its default when the settings leave it out).</summary>
        public int Port { get; }

        /// <summary>Implicit (SSL), StartTls, or None (plaintext, or TLS only when the server offers it).</summary>
        public MailSecurity Security { get; }

        /// <summary>The file that holds the setting.</summary>
        public string ConfigPath { get; }

        /// <summary>The account's key in that file (Thunderbird <c>server2</c> / <c>smtp1</c>, an msmtp account name, a section).</summary>
        public string AccountKey { get; }

        /// <summary>How often the client checks for new mail by itself, in minutes; null when it does not or the format has no such setting.</summary>
        public int? CheckIntervalMinutes { get; }

        /// <summary>The client's version where the settings record it (Thunderbird's compatibility.ini), else null.</summary>
        public string? ClientVersion { get; }

        /// <summary>What is wrong with the setting: plaintext, a port that does not fit the mode, polling too often, …</summary>
        public Finding[] Findings { get; }

        /// <summary>Pass when the account is encrypted and nothing is to fix; Warn or Fail otherwise.</summary>
        public Verdict Verdict { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Client} {Account} {Role} {Protocol} {HostName}:{Port} {Security}";
    }
}
