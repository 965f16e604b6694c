using MailTls.Endpoints;

namespace MailTls.Clients
{
    /// <summary>
    /// The seeds' rule for a client's setting: mode and port change together. A mode is never written with a port the
    /// table (DESIGN.md) reserves for another mode; a port outside the table is kept only when given explicitly.
    /// </summary>
    internal static class PortModeRule
    {
        /// <summary>The port to write for a target mode; <paramref name="explicitPort"/> wins when it does not contradict the mode.</summary>
        /// <exception cref="ClientConfigException">The port belongs to another mode, or plaintext was asked without -Force.</exception>
        public static int PortFor(MailProtocol protocol, MailSecurity security, int? explicitPort, bool force, string target)
        {
            if (security == MailSecurity.None && !force)
            {
                throw new ClientConfigException("PlaintextRefused", target,
                    "Switching an account to plaintext (-Security None) sends its password and mail unencrypted. Add -Force if that is really meant.");
            }

            if (explicitPort == null)
            {
                return WellKnownPorts.DefaultPort(protocol, security);
            }

            var port = explicitPort.Value;
            if (WellKnownPorts.TryGet(port, out var owner, out _) && owner != protocol)
            {
                throw new ClientConfigException("PortModeMismatch", target,
                    $"Port {port} is {owner}'s in the seeds' table, not {protocol}'s. Leave -Port out to get {protocol}'s port for the mode, or give one outside the table.");
            }

            if (Contradicts(protocol, security, port))
            {
                throw new ClientConfigException("PortModeMismatch", target,
                    $"Port {port} is the {(IsImplicitPort(port) ? "SSL (implicit TLS)" : "plaintext/STARTTLS")} port of the seeds' table; {Describe(security)} needs "
                    + $"{WellKnownPorts.DefaultPort(protocol, security)} for {protocol}. Leave -Port out to get the matching port, or give one outside the table.");
            }

            return port;
        }

        /// <summary>Whether a port is one the table gives to another mode or protocol (SSL on 143, STARTTLS on 993, SMTP on 993).</summary>
        public static bool Contradicts(MailProtocol protocol, MailSecurity security, int port)
        {
            if (!WellKnownPorts.TryGet(port, out var owner, out _))
            {
                return false;
            }

            if (owner != protocol)
            {
                // Another protocol's port (SMTP on 993) does not fit any mode of this one.
                return true;
            }

            return security == MailSecurity.Implicit ? !IsImplicitPort(port) : IsImplicitPort(port);
        }

        private static bool IsImplicitPort(int port) => port == 465 || port == 993 || port == 995;

        private static string Describe(MailSecurity security) => security switch
        {
            MailSecurity.Implicit => "SSL (implicit TLS)",
            MailSecurity.StartTls => "STARTTLS",
            _ => "plaintext",
        };
    }
}
