using System;
using System.Globalization;
using System.Net;

namespace MailTls
{
    /// <summary>One mail service to probe: where it is, what it speaks and how it should be secured.</summary>
    public sealed class MailEndpoint
    {
        /// <summary>Creates an endpoint.</summary>
        /// <param name="hostName">Host name or address literal (no brackets).</param>
        /// <param name="port">TCP port, 1 to 65535.</param>
        /// <param name="protocol">Mail protocol.</param>
        /// <param name="security">Security mode.</param>
        /// <param name="serverName">Name sent as SNI and verified in the certificate; defaults to <paramref name="hostName"/>.</param>
        /// <param name="address">A fixed address to connect to; null resolves <paramref name="hostName"/>.</param>
        /// <exception cref="ArgumentNullException"><paramref name="hostName"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="hostName"/> is empty.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 1..65535.</exception>
        public MailEndpoint(string hostName, int port, MailProtocol protocol, MailSecurity security, string? serverName = null, IPAddress? address = null)
        {
            if (hostName is null)
            {
                throw new ArgumentNullException(nameof(hostName));
            }

            if (hostName.Length == 0)
            {
                throw new ArgumentException("The host name is empty.", nameof(hostName));
            }

            if (port < 1 || port > 65535)
            {
                throw new ArgumentOutOfRangeException(nameof(port), port, "A port is between 1 and 65535.");
            }

            HostName = hostName;
            Port = port;
            Protocol = protocol;
            Security = security;
            ServerName = string.IsNullOrEmpty(serverName) ? hostName : serverName!;
            Address = address;
        }

        /// <summary>Host name or address as the user gave it.</summary>
        public string HostName { get; }

        /// <summary>TCP port.</summary>
        public int Port { get; }

        /// <summary>Mail protocol.</summary>
        public MailProtocol Protocol { get; }

        /// <summary>Security mode.</summary>
        public MailSecurity Security { get; }

        /// <summary>Name used for SNI and for the certificate name check.</summary>
        public string ServerName { get; }

        /// <summary>The address to connect to, or null to resolve <see cref="HostName"/>.</summary>
        public IPAddress? Address { get; }

        /// <summary>The same endpoint pinned to one address.</summary>
        /// <param name="address">The address to connect to.</param>
        /// <returns>A new endpoint.</returns>
        public MailEndpoint WithAddress(IPAddress address) => new MailEndpoint(HostName, Port, Protocol, Security, ServerName, address);

        /// <summary>host:port, with brackets around an IPv6 literal.</summary>
        public string Target => FormatTarget(HostName, Port);

        internal static string FormatTarget(string host, int port) =>
            (host.IndexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);

        /// <inheritdoc />
        public override string ToString() => $"{Target} {Protocol} {Security}";
    }
}
