using System;

namespace MailTls.Trust
{
    /// <summary>A trust store change that could not be made; carries the error id the cmdlets report.</summary>
    public sealed class TrustStoreException : Exception
    {
        internal TrustStoreException(string errorId, string target, string message, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Target = target;
        }

        /// <summary>Specific error id, e.g. <c>StoreUpdateFailed</c>, <c>ToolNotFound</c>.</summary>
        public string ErrorId { get; }

        /// <summary>The store, file or tool concerned.</summary>
        public string Target { get; }
    }
}
