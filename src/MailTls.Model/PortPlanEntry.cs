using System;
using System.Collections.Generic;

namespace MailTls
{
    /// <summary>
    /// One candidate of a port plan: a server, port and security mode for one protocol, where it was found, whether a
    /// probe verified it, and whether it is the one to use. Pipes into Test-MailEndpoint (HostName, Port, Protocol, Security).
    /// </summary>
    public sealed class PortPlanEntry
    {
        internal PortPlanEntry(MailRole role, MailProtocol protocol, string hostName, int port, MailSecurity security, IReadOnlyList<string> sources)
        {
            Role = role;
            Protocol = protocol;
            HostName = hostName;
            Port = port;
            Security = security;
            Sources = sources;
        }

        /// <summary>Incoming (IMAP, POP3) or Outgoing (SMTP submission).</summary>
        public MailRole Role { get; }

        /// <summary>The protocol.</summary>
        public MailProtocol Protocol { get; }

        /// <summary>The server.</summary>
        public string HostName { get; }

        /// <summary>The port.</summary>
        public int Port { get; }

        /// <summary>Implicit ("Use SSL"), StartTls ("Use StartTLS") or None.</summary>
        public MailSecurity Security { get; }

        /// <summary>Where it was found: "SRV _imaps._tcp", "autoconfig (HTTPS)", "MX", "guess", "table".</summary>
        public IReadOnlyList<string> Sources { get; }

        /// <summary>Whether a probe found it Pass or Warn.</summary>
        public bool Verified { get; internal set; }

        /// <summary>The probe's verdict; null when it was not probed (-NoProbe, -Offline).</summary>
        public Verdict? Verdict { get; internal set; }

        /// <summary>The probe's report; null when it was not probed.</summary>
        public EndpointReport? Report { get; internal set; }

        /// <summary>1 for the best candidate of its role and protocol, then 2, 3, …</summary>
        public int Rank { get; internal set; }

        /// <summary>The one to use for its role and protocol (at most one each; none where nothing qualifies).</summary>
        public bool Recommended { get; internal set; }

        /// <summary>What a user should know about this choice (from the provider pages the product encodes).</summary>
        public IReadOnlyList<string> Caveats { get; internal set; } = Array.Empty<string>();

        /// <summary>The plan's time ran out before this entry was probed (its host's other ports took the time).</summary>
        internal bool OutOfTime { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"{Role} {Protocol} {HostName}:{Port} {Security}{(Recommended ? " (recommended)" : string.Empty)}";
    }
}
