namespace MailTls
{
    /// <summary>What Import-MailRootCa or Remove-MailRootCa did (or, with -WhatIf, would do) in one store.</summary>
    public sealed class MailRootCaChange
    {
        /// <summary>Creates the record.</summary>
        /// <param name="store">The store.</param>
        /// <param name="location">Where in it.</param>
        /// <param name="subject">The certificate's subject, or the hosts.</param>
        /// <param name="sha256Fingerprint">The certificate's SHA-256 fingerprint.</param>
        /// <param name="action">What was done.</param>
        /// <param name="detail">More about it.</param>
        public MailRootCaChange(string store, string location, string subject, string sha256Fingerprint, string action, string? detail = null)
        {
            Store = store;
            Location = location;
            Subject = subject;
            Sha256Fingerprint = sha256Fingerprint;
            Action = action;
            Detail = detail;
        }

        /// <summary>The store: System, User, Nss or Thunderbird.</summary>
        public string Store { get; }

        /// <summary>Where: the store's folder or database, or the exemption file.</summary>
        public string Location { get; }

        /// <summary>The certificate's subject, or the host whose exemption was removed.</summary>
        public string Subject { get; }

        /// <summary>The certificate's SHA-256 fingerprint (hex).</summary>
        public string Sha256Fingerprint { get; }

        /// <summary>Added, AlreadyTrusted, Removed, AlreadyAbsent or ExemptionRemoved.</summary>
        public string Action { get; }

        /// <summary>More about it (the exemption lines removed, the backup made).</summary>
        public string? Detail { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Action} {Subject} in {Store} ({Location})";
    }
}
