using System;

namespace MailTls.Trust
{
    /// <summary>A trust store change that could not be made; carries the error id the cmdlets report.</summary>
    public sealed class TrustStoreException : MailTlsException
    {
        internal TrustStoreException(string errorId, string target, string message, Exception? inner = null)
            : base(errorId, target, message, inner)
        {
        }
    }
}
