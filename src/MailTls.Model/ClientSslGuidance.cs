using System.Collections.Generic;
using System.Linq;

namespace MailTls
{
    /// <summary>
    /// For a client whose settings MailTls cannot write safely (a database store): the exact steps and values to switch
    /// an account to SSL/TLS by hand, as the providers' pages give them.
    /// </summary>
    public sealed class ClientSslGuidance
    {
        internal ClientSslGuidance(MailClient client, MailProtocol protocol, MailSecurity security, string? hostName, int port, IEnumerable<string> steps, IEnumerable<string> settings, IEnumerable<string> notes)
        {
            Client = client;
            Protocol = protocol;
            Security = security;
            HostName = hostName;
            Port = port;
            Steps = steps.ToArray();
            Settings = settings.ToArray();
            Notes = notes.ToArray();
        }

        /// <summary>The client.</summary>
        public MailClient Client { get; }

        /// <summary>The account's protocol.</summary>
        public MailProtocol Protocol { get; }

        /// <summary>The mode to set.</summary>
        public MailSecurity Security { get; }

        /// <summary>The server, when given.</summary>
        public string? HostName { get; }

        /// <summary>The port to set.</summary>
        public int Port { get; }

        /// <summary>What to do, in order.</summary>
        public string[] Steps { get; }

        /// <summary>Each setting and the value it must have afterwards.</summary>
        public string[] Settings { get; }

        /// <summary>What to know first (versions that cannot, mail that may download again).</summary>
        public string[] Notes { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Client} {Protocol} {Security} port {Port}: {Steps.Length} steps";
    }
}
