using System;

namespace MailTls.Clients
{
    /// <summary>A client's settings that could not be read or changed; carries the error id the cmdlets report.</summary>
    public sealed class ClientConfigException : MailTlsException
    {
        internal ClientConfigException(string errorId, string target, string message, Exception? inner = null)
            : base(errorId, target, message, inner)
        {
        }

        internal static ClientConfigException Malformed(string path, int line, string what) =>
            new ClientConfigException("ConfigMalformed", path,
                $"'{path}' line {line}: {what}. Nothing was changed; fix the file (or restore it from a backup) and run the command again.");
    }
}
