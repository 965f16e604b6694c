namespace MailTls.PortPlan
{
    /// <summary>One server an autoconfig file (Thunderbird's clientConfig v1.1) names.</summary>
    public sealed class AutoconfigServer
    {
        internal AutoconfigServer(MailRole role, MailProtocol protocol, string hostName, int port, MailSecurity security)
        {
            Role = role;
            Protocol = protocol;
            HostName = hostName;
            Port = port;
            Security = security;
        }

        /// <summary>Incoming or Outgoing.</summary>
        public MailRole Role { get; }

        /// <summary>The protocol.</summary>
        public MailProtocol Protocol { get; }

        /// <summary>The host, with %EMAILDOMAIN% and the like filled in.</summary>
        public string HostName { get; }

        /// <summary>The port.</summary>
        public int Port { get; }

        /// <summary>socketType SSL: Implicit; STARTTLS: StartTls; plain: None.</summary>
        public MailSecurity Security { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Role} {Protocol} {HostName}:{Port} {Security}";
    }
}
