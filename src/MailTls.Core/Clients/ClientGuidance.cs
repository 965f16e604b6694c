using System;
using System.Collections.Generic;

namespace MailTls.Clients
{
    /// <summary>
    /// The manual steps for the clients whose stores MailTls does not write: the Mac clients' databases no other
    /// program may write (Eudora 5.x for Mac, Outlook Express 5 for Mac, Entourage), and IncrediMail, whose registry
    /// tree (HKCU\Software\IncrediMail\Identities\…\Accounts_New) has no public description of its server, port and
    /// SSL values. Each comes with the values the seeds give: the SSL choice per protocol, the matching port, and
    /// restarting the client before the first secure connection.
    /// </summary>
    public static class ClientGuidance
    {
        /// <summary>The steps for one account.</summary>
        /// <param name="client">EudoraMac, OutlookExpressMac, Entourage or IncrediMail.</param>
        /// <param name="protocol">Imap or Pop3 (SMTP is in the same account).</param>
        /// <param name="security">Implicit or StartTls.</param>
        /// <param name="port">The incoming port; null: the table's port for the mode.</param>
        /// <param name="hostName">The server, to name in the steps; null: not named.</param>
        /// <returns>The guidance.</returns>
        /// <exception cref="ClientConfigException">The client has no such setting (SslNotSupported), or the port belongs to another mode.</exception>
        public static ClientSslGuidance For(MailClient client, MailProtocol protocol, MailSecurity security, int? port = null, string? hostName = null)
        {
            var target = client.ToString();
            if (protocol == MailProtocol.Smtp)
            {
                throw new ClientConfigException("SslNotSupported", target, "Give the account's incoming protocol (Imap or Pop3); the steps cover its outgoing server too.");
            }

            if (security == MailSecurity.None)
            {
                throw new ClientConfigException("PlaintextRefused", target, "MailTls gives steps to turn SSL on, not off.");
            }

            var incoming = PortModeRule.PortFor(protocol, security, port, force: true, target);
            var outgoing = Endpoints.WellKnownPorts.DefaultPort(MailProtocol.Smtp, security);
            var name = protocol == MailProtocol.Imap ? "IMAP" : "POP";
            var server = hostName != null ? $" ({hostName})" : string.Empty;
            var notes = new List<string>();
            if (protocol == MailProtocol.Pop3)
            {
                notes.Add("Switching a POP account to SSL may make the client download every message on the server again: empty or archive the server's inbox first if that matters.");
            }

            switch (client)
            {
                case MailClient.EudoraMac:
                    notes.Add("Eudora supports SSL from 5.1 on Mac OS 9 (it needs the Keychain Access control panel) and on Mac OS X 10.2 or later; not on Mac OS X 10.0 or 10.1, nor in earlier Eudora versions.");
                    var choice = security == MailSecurity.Implicit ? "Required, Alternate Port" : "Required, STARTTLS";
                    return new ClientSslGuidance(client, protocol, security, hostName, incoming, new[]
                    {
                        "On Mac OS 9: if Keychain Access has no keychain yet, create one (Apple menu > Control Panels > Keychain Access > Create), without a password.",
                        "Open Eudora, choose Special > Settings, and under Checking Mail note whether the account uses POP or IMAP.",
                        $"Under SSL, set \"SSL for {name}\" to \"{choice}\" for the account{server}; leave the SSL setting of the other protocol at None.",
                        $"Set the outgoing SSL the same way (\"{choice}\"); the alternate ports are {incoming} for {name} and {outgoing} for SMTP.",
                        "Click OK, quit Eudora, and open it again before the first secure connection.",
                    }, new[] { $"SSL for {name}: {choice}", $"SSL for the other protocol: None", $"SMTP SSL: {choice}" }, notes);
                case MailClient.OutlookExpressMac:
                case MailClient.Entourage:
                    if (security != MailSecurity.Implicit)
                    {
                        throw new ClientConfigException("SslNotSupported", target,
                            $"{(client == MailClient.Entourage ? "Entourage" : "Outlook Express 5 for Mac")} offers only \"requires a secure connection (SSL)\", not STARTTLS. Use -Security Implicit (port {Endpoints.WellKnownPorts.DefaultPort(protocol, MailSecurity.Implicit)}).");
                    }

                    var product = client == MailClient.Entourage ? "Entourage" : "Outlook Express";
                    return new ClientSslGuidance(client, protocol, security, hostName, incoming, new[]
                    {
                        $"Open {product} and choose Tools > Accounts.",
                        $"Select the account{server} and click Edit.",
                        "Click \"Click here for advanced receiving options\" at the bottom of the receiving settings.",
                        $"Tick \"This {name} service requires a secure connection (SSL)\"; the port becomes {incoming} (type it if the dialog shows another).",
                        $"In the sending options, tick \"SMTP service requires a secure connection (SSL)\" and use port {outgoing}.",
                        $"Click OK, quit {product}, and open it again before the first secure connection.",
                    }, new[] { $"This {name} service requires a secure connection (SSL): on", $"{name} port: {incoming}", "SMTP requires a secure connection (SSL): on", $"SMTP port: {outgoing}" }, notes);
                case MailClient.IncrediMail:
                    if (security != MailSecurity.Implicit)
                    {
                        throw new ClientConfigException("SslNotSupported", target,
                            $"IncrediMail offers only \"This server requires a secure connection (SSL)\", not STARTTLS. Use -Security Implicit (port {Endpoints.WellKnownPorts.DefaultPort(protocol, MailSecurity.Implicit)}).");
                    }

                    return new ClientSslGuidance(client, protocol, security, hostName, incoming, new[]
                    {
                        "Open IncrediMail and choose Tools > Accounts; click the Mail tab.",
                        $"Select the account{server} and click Properties, then the Advanced tab.",
                        $"Under Incoming mail ({name}), tick \"This server requires a secure connection (SSL)\" and set the port to {incoming}.",
                        $"Under Outgoing mail (SMTP), tick \"This server requires a secure connection (SSL)\" and set the port to {outgoing}.",
                        "Click OK, exit IncrediMail, and open it again before the first secure connection.",
                    }, new[] { $"Incoming ({name}) requires a secure connection (SSL): on", $"{name} port: {incoming}", "Outgoing (SMTP) requires a secure connection (SSL): on", $"SMTP port: {outgoing}" }, notes);
                default:
                    throw new ArgumentException($"{client} is switched by Set-ClientSsl itself, not by hand.", nameof(client));
            }
        }
    }
}
