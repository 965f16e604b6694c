using System;

namespace MailTls.Endpoints
{
    /// <summary>Input that does not describe an endpoint; carries the error id the cmdlets report.</summary>
    public sealed class EndpointInputException : MailTlsException
    {
        internal EndpointInputException(string errorId, string input, string message)
            : base(errorId, input, message)
        {
        }

        /// <summary>The input that was rejected (the error's target).</summary>
        public string Input => Target;
    }
}
