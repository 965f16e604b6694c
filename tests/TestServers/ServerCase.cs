using System.Net;

namespace MailTls.TestServers
{
    /// <summary>
    /// One real-server case: its own loopback address, with Postfix (SMTP 25/587/465 equivalents) and Dovecot
    /// (IMAP 143/993, POP3 110/995 equivalents) listening there with the case's certificate and settings.
    /// </summary>
    public sealed record ServerCase(string Name, string Address, LeafKind Leaf, bool PlaintextLogin = false, bool NoStartTls = false, bool Tls13Only = false, bool LegacyTls = false, bool SecurityLevel0 = false, bool AlsoIPv6 = false, bool StandardPorts = false, int ConnectionLimit = 0)
    {
        public IPAddress IPAddress => IPAddress.Parse(Address);

        /// <summary>The port this case listens on for one of <see cref="Ports"/>: the same, or the real one (10993 -> 993) for the standard-ports case.</summary>
        public int Port(int testPort) => StandardPorts ? testPort - 10000 : testPort;

        public static readonly ServerCase[] All =
        {
            new("good", "127.0.0.11", LeafKind.Good, AlsoIPv6: true), // Dovecot also on [::1]
            new("expired", "127.0.0.12", LeafKind.Expired),
            new("notyetvalid", "127.0.0.13", LeafKind.NotYetValid),
            new("wrongname", "127.0.0.14", LeafKind.WrongName),
            new("selfsigned", "127.0.0.15", LeafKind.SelfSigned),
            new("nointermediate", "127.0.0.16", LeafKind.MissingIntermediate),
            new("untrustedroot", "127.0.0.17", LeafKind.UntrustedRoot),
            new("tls13only", "127.0.0.18", LeafKind.Good, Tls13Only: true),
            new("plaintextlogin", "127.0.0.19", LeafKind.Good, PlaintextLogin: true),
            new("nostarttls", "127.0.0.20", LeafKind.Good, NoStartTls: true),
            new("expiringsoon", "127.0.0.21", LeafKind.ExpiringSoon),
            new("wrongusage", "127.0.0.22", LeafKind.WrongUsage),
            // Postfix speaks only TLS 1.0 here; Dovecot accepts TLS 1.0 to 1.3.
            new("legacytls", "127.0.0.23", LeafKind.Good, LegacyTls: true),
            // Certificates OpenSSL 3 serves only at security level 0.
            new("weakkey", "127.0.0.24", LeafKind.WeakKey, SecurityLevel0: true),
            new("sha1", "127.0.0.25", LeafKind.Sha1Signature, SecurityLevel0: true),
            // Postfix answers 421 to a client's third simultaneous connection (loopback not exempt), as busy servers do.
            new("connlimit", "127.0.0.26", LeafKind.Good, ConnectionLimit: 2),
            // A server whose certificate a test replaces mid-suite (Dovecot reloads it), for report drift.
            new("drift", "127.0.0.27", LeafKind.Good),
            // On the real ports (993, 143, 995, 110, 465, 587, 25): the servers a port plan finds by MX or by guessing a name.
            // It also allows 2 connections per client, like connlimit: a port plan must not open more at once.
            new("standard", "127.0.0.30", LeafKind.Good, StandardPorts: true, ConnectionLimit: 2),
        };
    }

    /// <summary>The ports every case listens on (high ports, so no system daemon is in the way).</summary>
    public static class Ports
    {
        public const int Smtp = 10025;
        public const int Submission = 10587;
        public const int Smtps = 10465;
        public const int Imap = 10143;
        public const int Imaps = 10993;
        public const int Pop3 = 10110;
        public const int Pop3s = 10995;
    }
}
