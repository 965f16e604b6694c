using System.Collections.Generic;

namespace MailTls.Endpoints
{
    /// <summary>The port table of the seeds (DESIGN.md): which protocol and mode each well-known port means.</summary>
    public static class WellKnownPorts
    {
        private static readonly Dictionary<int, (MailProtocol Protocol, MailSecurity Security)> ByPort = new Dictionary<int, (MailProtocol, MailSecurity)>
        {
            [25] = (MailProtocol.Smtp, MailSecurity.StartTls),
            [587] = (MailProtocol.Smtp, MailSecurity.StartTls),
            [465] = (MailProtocol.Smtp, MailSecurity.Implicit),
            [143] = (MailProtocol.Imap, MailSecurity.StartTls),
            [993] = (MailProtocol.Imap, MailSecurity.Implicit),
            [110] = (MailProtocol.Pop3, MailSecurity.StartTls),
            [995] = (MailProtocol.Pop3, MailSecurity.Implicit),
        };

        /// <summary>The protocol and security mode a well-known port means, if it is one.</summary>
        /// <param name="port">The port.</param>
        /// <param name="protocol">The protocol the port is known for.</param>
        /// <param name="security">The mode the port is known for.</param>
        /// <returns>True for a well-known mail port.</returns>
        public static bool TryGet(int port, out MailProtocol protocol, out MailSecurity security)
        {
            if (ByPort.TryGetValue(port, out var entry))
            {
                protocol = entry.Protocol;
                security = entry.Security;
                return true;
            }

            protocol = default;
            security = default;
            return false;
        }

        /// <summary>The mode to assume on a port for a protocol: implicit on the implicit-TLS ports, else STARTTLS.</summary>
        /// <param name="protocol">The protocol.</param>
        /// <param name="port">The port.</param>
        /// <returns>The security mode.</returns>
        public static MailSecurity DefaultSecurity(MailProtocol protocol, int port) =>
            TryGet(port, out var known, out var security) && known == protocol ? security
            : port == 465 || port == 993 || port == 995 ? MailSecurity.Implicit
            : MailSecurity.StartTls;

        /// <summary>The port a protocol uses in a mode: 465/587, 993/143, 995/110 (25 for plaintext SMTP relay).</summary>
        /// <param name="protocol">The protocol.</param>
        /// <param name="security">The security mode.</param>
        /// <returns>The port.</returns>
        public static int DefaultPort(MailProtocol protocol, MailSecurity security) => (protocol, security) switch
        {
            (MailProtocol.Smtp, MailSecurity.Implicit) => 465,
            (MailProtocol.Smtp, MailSecurity.StartTls) => 587,
            (MailProtocol.Smtp, _) => 25,
            (MailProtocol.Imap, MailSecurity.Implicit) => 993,
            (MailProtocol.Imap, _) => 143,
            (MailProtocol.Pop3, MailSecurity.Implicit) => 995,
            _ => 110,
        };

        /// <summary>The secure endpoints to probe for a protocol when no port is given.</summary>
        /// <param name="protocol">The protocol.</param>
        /// <returns>Port and mode pairs, best first.</returns>
        public static IReadOnlyList<(int Port, MailSecurity Security)> SecurePorts(MailProtocol protocol) => protocol switch
        {
            MailProtocol.Smtp => new[] { (465, MailSecurity.Implicit), (587, MailSecurity.StartTls) },
            MailProtocol.Imap => new[] { (993, MailSecurity.Implicit) },
            _ => new[] { (995, MailSecurity.Implicit) },
        };
    }
}
