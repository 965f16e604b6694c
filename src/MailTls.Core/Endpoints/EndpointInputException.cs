using System;

namespace MailTls.Endpoints
{
    /// <summary>Input that does not describe an endpoint; carries the error id the cmdlets report.</summary>
    public sealed class EndpointInputException : Exception
    {
        internal EndpointInputException(string errorId, string input, string message)
            : base(message)
        {
            ErrorId = errorId;
            Input = input;
        }

        /// <summary>Specific error id, e.g. <c>HostNameInvalid</c>, <c>PortOutOfRange</c>.</summary>
        public string ErrorId { get; }

        /// <summary>The input that was rejected.</summary>
        public string Input { get; }
    }
}
