namespace MailTls
{
    /// <summary>One thing a probe found, with what to do about it.</summary>
    public sealed class Finding
    {
        internal Finding(string id, string name, FindingSeverity severity, string message, string remediation)
        {
            Id = id;
            Name = name;
            Severity = severity;
            Message = message;
            Remediation = remediation;
        }

        /// <summary>Stable identifier, e.g. <c>MTLS020</c>; documented in about_MailTls_Findings.</summary>
        public string Id { get; }

        /// <summary>Stable name, e.g. <c>StartTlsNotOffered</c>.</summary>
        public string Name { get; }

        /// <summary>Severity under the policy the probe ran with.</summary>
        public FindingSeverity Severity { get; }

        /// <summary>What was found, in plain words.</summary>
        public string Message { get; }

        /// <summary>What to do about it.</summary>
        public string Remediation { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Id} {Severity}: {Message}";
    }
}
