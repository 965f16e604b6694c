using System;

namespace MailTls.Clients
{
    /// <summary>A client's settings that could not be read or changed; carries the error id the cmdlets report.</summary>
    public sealed class ClientConfigException : Exception
    {
        internal ClientConfigException(string errorId, string target, string message, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Target = target;
        }

        /// <summary>Specific error id, e.g. <c>ConfigMalformed</c>, <c>ClientRunning</c>, <c>PortModeMismatch</c>.</summary>
        public string ErrorId { get; }

        /// <summary>The file, profile or account concerned.</summary>
        public string Target { get; }

        internal static ClientConfigException Malformed(string path, int line, string what) =>
            new ClientConfigException("ConfigMalformed", path,
                $"'{path}' line {line}: {what}. Nothing was changed; fix the file (or restore it from a backup) and run the command again.");
    }
}
