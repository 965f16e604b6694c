using System;
using System.Collections.Generic;

namespace MailTls.Clients
{
    /// <summary>Where one client keeps one set of accounts: a single file, or a profile folder with several files.</summary>
    internal sealed class ConfigLocation
    {
        public ConfigLocation(string path, string? profile = null, string? clientVersion = null)
        {
            Path = path;
            Profile = profile;
            ClientVersion = clientVersion;
        }

        /// <summary>The main file (prefs.js, .msmtprc, accountrc, …).</summary>
        public string Path { get; }

        /// <summary>The profile or settings folder, when the client has one.</summary>
        public string? Profile { get; }

        /// <summary>The client's version, where the installation or the user says it.</summary>
        public string? ClientVersion { get; }
    }

    /// <summary>One server setting as a configurator read it, before the policy judges it.</summary>
    internal sealed class AccountRecord
    {
        public string Account { get; set; } = string.Empty;

        public string? EmailAddress { get; set; }

        public MailRole Role { get; set; }

        public MailProtocol Protocol { get; set; }

        public string HostName { get; set; } = string.Empty;

        public int Port { get; set; }

        public MailSecurity Security { get; set; }

        /// <summary>The file that holds it (for a Mozilla profile: prefs.js even when user.js overrides a value).</summary>
        public string ConfigPath { get; set; } = string.Empty;

        public string Key { get; set; } = string.Empty;

        public int? CheckIntervalMinutes { get; set; }

        /// <summary>TLS only when the server offers it (fetchmail's default, Mutt without ssl_force_tls): reported as None.</summary>
        public bool Opportunistic { get; set; }

        /// <summary>An application's Use SSL and Use StartTls are both true (mutually exclusive): never at a target as it is.</summary>
        public bool BothFlags { get; set; }

        /// <summary>The client is told not to check the server's certificate.</summary>
        public bool CertificateCheckOff { get; set; }

        /// <summary>Why this client version cannot use TLS for this account, when it cannot.</summary>
        public string? TlsUnsupported { get; set; }

        /// <summary>One server of an account whose file or key holds one incoming and one outgoing server: keyed by its role.</summary>
        public static AccountRecord ForRole(string account, string? emailAddress, MailRole role, MailProtocol protocol, string hostName, int port, MailSecurity security, string configPath) =>
            new AccountRecord
            {
                Account = account,
                EmailAddress = string.IsNullOrEmpty(emailAddress) ? null : emailAddress,
                Role = role,
                Protocol = protocol,
                HostName = hostName,
                Port = port,
                Security = security,
                ConfigPath = configPath,
                Key = role.ToString(),
            };
    }

    /// <summary>Where Set-ClientSsl takes an account: the mode, the port that goes with it, and optionally a new host.</summary>
    internal sealed class AccountTarget
    {
        public AccountTarget(MailSecurity security, int port, string? hostName)
        {
            Security = security;
            Port = port;
            HostName = hostName;
        }

        public MailSecurity Security { get; }

        public int Port { get; }

        public string? HostName { get; }
    }

    /// <summary>One planned change of one setting in one file (a text edit) or one registry key (a value to write).</summary>
    internal sealed class SettingEdit
    {
        public SettingEdit(string path, string setting, string? before, string? after, TextEdit edit)
        {
            Path = path;
            Setting = setting;
            Before = before;
            After = after;
            Edit = edit;
        }

        /// <summary>A registry value: <paramref name="setting"/> is the value's name in the key <paramref name="path"/>.</summary>
        public SettingEdit(string path, string setting, string? before, string? after, Registry.RegistryData value)
        {
            Path = path;
            Setting = setting;
            Before = before;
            After = after;
            Value = value;
        }

        public string Path { get; }

        public string Setting { get; }

        public string? Before { get; }

        public string? After { get; }

        /// <summary>The text edit (files); null for a registry value.</summary>
        public TextEdit? Edit { get; }

        /// <summary>The value to write (registry); null for a text edit.</summary>
        public Registry.RegistryData? Value { get; }
    }

    /// <summary>
    /// One client's settings format: where it lives for a user, how its accounts read, and which text edits take an
    /// account to a target. Configurators only read and plan; <see cref="ClientSslEngine"/> does every write, the same
    /// safe way for all of them.
    /// </summary>
    internal abstract class ClientConfigurator
    {
        public abstract MailClient Client { get; }

        /// <summary>The locations of this client's settings under a user's home directory (those that exist).</summary>
        public abstract IEnumerable<ConfigLocation> Locate(UserHome home);

        /// <summary>A location for a file or folder the user named, or null when it is not this client's.</summary>
        public abstract ConfigLocation? Recognize(string path);

        /// <summary>The accounts at a location.</summary>
        /// <exception cref="ClientConfigException">The file is malformed.</exception>
        public abstract IReadOnlyList<AccountRecord> Read(ConfigLocation location);

        /// <summary>
        /// The edits that take <paramref name="current"/> (as the engine has just read it) to <paramref name="target"/>;
        /// the engine asks only when it is not there yet.
        /// </summary>
        /// <exception cref="ClientConfigException">The account is gone, or the client cannot do this.</exception>
        public abstract IReadOnlyList<SettingEdit> Plan(ConfigLocation location, AccountRecord current, AccountTarget target);

        /// <summary>The text the configurator reads and edits at a path (a zip archive's settings entry, for one).</summary>
        public virtual ConfigText Load(string path) => ConfigText.Read(path);

        /// <summary>The bytes to write for the edited text (the file's own encoding; a zip archive rebuilt around it).</summary>
        public virtual byte[] Render(string path, string text) => ConfigText.Encode(path, text);

        /// <summary>Files a change at this location may write together (prefs.js and user.js): Undo-ClientSsl restores them together.</summary>
        public virtual IEnumerable<string> Companions(ConfigLocation location) => new[] { location.Path };

        /// <summary>What the user should know before this change (a client version that may not manage it).</summary>
        public virtual IEnumerable<string> Caveats(ConfigLocation location, AccountRecord account, AccountTarget target) => Array.Empty<string>();

        /// <summary>Why the client is running on these settings now (it would overwrite a change on exit); null when it is not.</summary>
        public virtual string? RunningReason(ConfigLocation location) => null;

    }
}
