namespace MailTls
{
    /// <summary>Whether a server is for reading mail (IMAP, POP3) or sending it (SMTP submission).</summary>
    public enum MailRole
    {
        /// <summary>IMAP or POP3.</summary>
        Incoming,

        /// <summary>SMTP submission.</summary>
        Outgoing,
    }
}
