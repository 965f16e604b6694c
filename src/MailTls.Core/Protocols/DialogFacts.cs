using System.Collections.Generic;

namespace MailTls.Protocols
{
    /// <summary>What one protocol dialog (greeting and capabilities) showed.</summary>
    internal sealed class DialogFacts
    {
        public IReadOnlyList<string> Capabilities { get; set; } = new string[0];

        public IReadOnlyList<string> AuthMechanisms { get; set; } = new string[0];

        public bool StartTlsOffered { get; set; }

        /// <summary>IMAP PREAUTH: the session is already authenticated, so STARTTLS cannot follow.</summary>
        public bool PreAuthenticated { get; set; }

        /// <summary>Why a password could be sent on this session as it stands, or null when it could not.</summary>
        public string? PlaintextLogin { get; set; }
    }
}
