using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MailTls.Clients;

namespace MailTls.PowerShell
{
    /// <summary>What the client cmdlets share: choosing clients, files and accounts, and reporting settings errors.</summary>
    public abstract class ClientCmdlet : AsyncCmdlet
    {
        /// <summary>The engine (one per command).</summary>
        internal ClientSslEngine Engine { get; } = new ClientSslEngine();

        /// <summary>The client's version when its settings do not say it (Netscape 4.7x: 4.7.5 has no SSL, 4.7.9 IMAP only; Outlook 2002-2010, which share one registry place: 2007 and later have the SMTP encryption type).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ClientVersion { get; set; }

        /// <summary>The accounts a query finds, narrowed by name, address or host (wildcards), role and protocol; read errors are written.</summary>
        internal IReadOnlyList<ClientAccount> Select(MailClient[]? clients, string[]? paths, bool allUsers, string[]? accounts, MailRole? role, MailProtocol? protocol)
        {
            var result = Engine.Read(new ClientQuery
            {
                Clients = clients,
                Paths = paths?.Select(ResolveSettingsPath).ToArray(),
                AllUsers = allUsers,
                ClientVersion = ClientVersion,
            });
            foreach (var error in result.Errors)
            {
                WriteClientError(error);
            }

            var patterns = accounts?.Select(a => new WildcardPattern(a, WildcardOptions.IgnoreCase)).ToArray();
            return result.Accounts
                .Where(a => role == null || a.Role == role)
                .Where(a => protocol == null || a.Protocol == protocol)
                .Where(a => patterns == null || patterns.Any(p => p.IsMatch(a.Account) || (a.EmailAddress != null && p.IsMatch(a.EmailAddress)) || p.IsMatch(a.HostName)))
                .ToArray();
        }

        /// <summary>
        /// A settings path as the engine takes it: a registry key's full path (HKCU:\…, Registry::HKEY_USERS\…,
        /// HKEY_CURRENT_USER\…, the same on every system), or a file system path resolved against the current location.
        /// </summary>
        internal string ResolveSettingsPath(string path) =>
            ClientSslEngine.RegistryKeyPath(path) ?? SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

        /// <summary>A settings file or account that could not be read or changed, as an error record that says what to do.</summary>
        internal void WriteClientError(ClientConfigException ex)
        {
            var category = ex.ErrorId switch
            {
                "ConfigMalformed" or "EntrySeveralUsers" or "SslFromDefaults" or "SslConfigDeprecated" or "ValueSpansLines" or "RegistryValueTypeInvalid" or "BackupUnreadable" => ErrorCategory.InvalidData,
                "ConfigNotFound" or "AccountNotFound" or "BackupNotFound" or "ConfigNotRecognized" => ErrorCategory.ObjectNotFound,
                "ProfileLocked" or "ClientRunning" or "RegistryUnavailable" => ErrorCategory.ResourceUnavailable,
                "PortModeMismatch" or "PlaintextRefused" or "MapInvalid" or "HostNameInvalid" => ErrorCategory.InvalidArgument,
                "MapKeyMissing" or "MapKeyAmbiguous" => ErrorCategory.ObjectNotFound,
                "SslNotSupported" => ErrorCategory.NotImplemented,
                "ConfigReadOnly" or "ConfigAccessDenied" => ErrorCategory.PermissionDenied,
                "ConfigUnreadable" => ErrorCategory.ReadError,
                _ => ErrorCategory.WriteError,
            };
            WriteError(CmdletInput.Record(ex, ex.ErrorId, category, ex.Target, ex.Message));
        }

        /// <summary>No permission to write a settings file.</summary>
        internal void WriteAccessDenied(Exception ex, string path) =>
            WriteError(CmdletInput.Record(ex, "ConfigAccessDenied", ErrorCategory.PermissionDenied, path,
                $"'{path}' could not be written: {ex.Message} Run as the file's owner, or as root (sudo pwsh) for -AllUsers."));
    }
}
