namespace MailTls
{
    /// <summary>One setting Set-ClientSsl or Undo-ClientSsl changed (or, with -WhatIf, would change) in a client's file.</summary>
    public sealed class ClientSslChange
    {
        internal ClientSslChange(MailClient client, string account, MailRole role, MailProtocol protocol, string configPath, string setting,
            string? oldValue, string? newValue, string? backupPath)
        {
            Client = client;
            Account = account;
            Role = role;
            Protocol = protocol;
            ConfigPath = configPath;
            Setting = setting;
            OldValue = oldValue;
            NewValue = newValue;
            BackupPath = backupPath;
        }

        /// <summary>The client.</summary>
        public MailClient Client { get; }

        /// <summary>The account.</summary>
        public string Account { get; }

        /// <summary>Incoming or Outgoing.</summary>
        public MailRole Role { get; }

        /// <summary>The protocol of the account.</summary>
        public MailProtocol Protocol { get; }

        /// <summary>The file changed.</summary>
        public string ConfigPath { get; }

        /// <summary>The setting, as the file names it (<c>mail.server.server2.socketType</c>, <c>tls_starttls</c>, …).</summary>
        public string Setting { get; }

        /// <summary>The value before; null when the setting was not in the file.</summary>
        public string? OldValue { get; }

        /// <summary>The value after; null when the setting was removed.</summary>
        public string? NewValue { get; }

        /// <summary>The backup taken before the file was written (null with -WhatIf); Undo-ClientSsl restores it.</summary>
        public string? BackupPath { get; }

        /// <inheritdoc />
        public override string ToString() => $"{ConfigPath}: {Setting} {OldValue ?? "(not set)"} -> {NewValue ?? "(removed)"}";
    }
}
