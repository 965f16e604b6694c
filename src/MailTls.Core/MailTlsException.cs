using System;

namespace MailTls
{
    /// <summary>Something the core refused or could not do, with the error id and target the cmdlets report.</summary>
    public abstract class MailTlsException : Exception
    {
        /// <summary>An error <paramref name="errorId"/> about <paramref name="target"/>.</summary>
        protected MailTlsException(string errorId, string target, string message, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Target = target;
        }

        /// <summary>The specific error id, e.g. <c>ConfigMalformed</c>, <c>StoreUpdateFailed</c>, <c>HostNameInvalid</c>.</summary>
        public string ErrorId { get; }

        /// <summary>What the error is about: a file, store, tool or the rejected input.</summary>
        public string Target { get; }
    }
}
