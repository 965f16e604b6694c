namespace MailTls
{
    /// <summary>The mail protocol an endpoint speaks.</summary>
    public enum MailProtocol
    {
        /// <summary>SMTP (relay on 25, submission on 587 and 465).</summary>
        Smtp,

        /// <summary>IMAP4 (143, 993).</summary>
        Imap,

        /// <summary>POP3 (110, 995).</summary>
        Pop3,
    }

    /// <summary>How the connection is secured: the "Use SSL" / "Use StartTLS" choice of mail clients.</summary>
    public enum MailSecurity
    {
        /// <summary>TLS from the first byte ("SSL", ports 465, 993, 995).</summary>
        Implicit,

        /// <summary>Plaintext greeting, then STARTTLS (or STLS) upgrades the connection (25, 587, 143, 110).</summary>
        StartTls,

        /// <summary>No encryption: the probe only reads the greeting and capabilities.</summary>
        None,
    }

    /// <summary>The overall judgement of an endpoint under a policy, from best to worst.</summary>
    public enum Verdict
    {
        /// <summary>Encrypted, trusted and nothing to fix.</summary>
        Pass,

        /// <summary>Encrypted, but something should be fixed.</summary>
        Warn,

        /// <summary>Mail on this endpoint is not safely encrypted.</summary>
        Fail,

        /// <summary>The endpoint could not be probed (refused, timed out, not resolved).</summary>
        Error,
    }

    /// <summary>How serious a finding is; the policy in force decides it, and it maps onto a <see cref="Verdict"/>.</summary>
    public enum FindingSeverity
    {
        /// <summary>Worth knowing; does not change the verdict.</summary>
        Info,

        /// <summary>Makes the verdict at least Warn.</summary>
        Warning,

        /// <summary>Makes the verdict at least Fail.</summary>
        Failure,

        /// <summary>The probe could not complete: the verdict is Error.</summary>
        Error,
    }
}
