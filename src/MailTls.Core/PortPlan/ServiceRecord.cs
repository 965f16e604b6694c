namespace MailTls.PortPlan
{
    /// <summary>One RFC 6186 / RFC 8314 service record: where a mail service is published, or that it is not offered.</summary>
    public sealed class ServiceRecord
    {
        internal ServiceRecord(string service, MailProtocol protocol, MailSecurity security, string? host, int port, int priority, int weight)
        {
            Service = service;
            Protocol = protocol;
            Security = security;
            Host = host;
            Port = port;
            Priority = priority;
            Weight = weight;
        }

        /// <summary>The record name's service label, e.g. "_imaps._tcp".</summary>
        public string Service { get; }

        /// <summary>The protocol the service name means.</summary>
        public MailProtocol Protocol { get; }

        /// <summary>The mode the service name means: _imaps/_pop3s/_submissions implicit TLS, the others STARTTLS.</summary>
        public MailSecurity Security { get; }

        /// <summary>The target host; null when the target is "." (RFC 2782: the service is decidedly not offered).</summary>
        public string? Host { get; }

        /// <summary>True when the domain says the service is not offered (target ".").</summary>
        public bool NotOffered => Host == null;

        /// <summary>The port.</summary>
        public int Port { get; }

        /// <summary>Lower is preferred.</summary>
        public int Priority { get; }

        /// <summary>Among equal priorities, higher is chosen more often.</summary>
        public int Weight { get; }

        /// <inheritdoc />
        public override string ToString() => NotOffered ? $"{Service}: not offered" : $"{Service}: {Host}:{Port} (priority {Priority}, weight {Weight})";
    }
}
