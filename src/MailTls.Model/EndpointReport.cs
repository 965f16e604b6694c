using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;

namespace MailTls
{
    /// <summary>
    /// What one probe of one endpoint found. Always produced, even for an endpoint that could not be
    /// reached (then <see cref="Verdict"/> is Error and a finding says why), so a fleet scan has one row per input.
    /// </summary>
    public sealed class EndpointReport
    {
        internal EndpointReport(MailEndpoint endpoint)
        {
            HostName = endpoint.HostName;
            Port = endpoint.Port;
            Protocol = endpoint.Protocol;
            Security = endpoint.Security;
            ServerName = endpoint.ServerName;
        }

        /// <summary>Host name as given.</summary>
        public string HostName { get; }

        /// <summary>The address that was probed (null when the name did not resolve).</summary>
        public string? IPAddress { get; internal set; }

        /// <summary>TCP port.</summary>
        public int Port { get; }

        /// <summary>Mail protocol.</summary>
        public MailProtocol Protocol { get; }

        /// <summary>Security mode probed.</summary>
        public MailSecurity Security { get; }

        /// <summary>Name sent as SNI and checked against the certificate.</summary>
        public string ServerName { get; }

        /// <summary>Whether a TCP connection was made.</summary>
        public bool Reachable { get; internal set; }

        /// <summary>The server's greeting (first line, sanitised), before TLS for STARTTLS, after it for implicit TLS.</summary>
        public string? Greeting { get; internal set; }

        /// <summary>Capabilities advertised before TLS (STARTTLS and None modes).</summary>
        public IReadOnlyList<string> CapabilitiesBeforeTls { get; internal set; } = Array.Empty<string>();

        /// <summary>SASL mechanisms advertised before TLS.</summary>
        public IReadOnlyList<string> AuthMechanismsBeforeTls { get; internal set; } = Array.Empty<string>();

        /// <summary>Whether the plaintext session offered STARTTLS (STLS for POP3); null for implicit TLS.</summary>
        public bool? StartTlsOffered { get; internal set; }

        /// <summary>Capabilities advertised after TLS, re-read on the encrypted session.</summary>
        public IReadOnlyList<string> CapabilitiesAfterTls { get; internal set; } = Array.Empty<string>();

        /// <summary>SASL mechanisms advertised after TLS.</summary>
        public IReadOnlyList<string> AuthMechanismsAfterTls { get; internal set; } = Array.Empty<string>();

        /// <summary>Negotiated TLS version, e.g. "TLS 1.3".</summary>
        public string? TlsVersion { get; internal set; }

        /// <summary>Negotiated cipher suite (IANA name where known).</summary>
        public string? CipherSuite { get; internal set; }

        /// <summary>The server's certificate.</summary>
        public X509Certificate2? Certificate { get; internal set; }

        /// <summary>The certificates the server sent, leaf first.</summary>
        public IReadOnlyList<X509Certificate2> Chain { get; internal set; } = Array.Empty<X509Certificate2>();

        /// <summary>Whether the chain builds to a trusted root (the system's, or one given with -TrustedRootCertificate).</summary>
        public bool? ChainTrusted { get; internal set; }

        /// <summary>Chain problems, as the platform names them (e.g. UntrustedRoot, PartialChain, NotTimeValid).</summary>
        public IReadOnlyList<string> ChainStatus { get; internal set; } = Array.Empty<string>();

        /// <summary>Whether the certificate is valid for <see cref="ServerName"/>.</summary>
        public bool? NameMatches { get; internal set; }

        /// <summary>Certificate validity start.</summary>
        public DateTime? NotBefore { get; internal set; }

        /// <summary>Certificate validity end.</summary>
        public DateTime? NotAfter { get; internal set; }

        /// <summary>Whole days until the certificate expires (negative once expired).</summary>
        public int? DaysToExpiry { get; internal set; }

        /// <summary>Public key algorithm of the certificate (RSA, ECDSA, …).</summary>
        public string? KeyAlgorithm { get; internal set; }

        /// <summary>Public key size in bits.</summary>
        public int? KeySize { get; internal set; }

        /// <summary>Signature algorithm of the certificate, e.g. sha256RSA.</summary>
        public string? SignatureAlgorithm { get; internal set; }

        /// <summary>Certificate subject.</summary>
        public string? Subject { get; internal set; }

        /// <summary>Certificate issuer.</summary>
        public string? Issuer { get; internal set; }

        /// <summary>SHA-1 thumbprint (hex), as Windows certificate stores show it.</summary>
        public string? Thumbprint { get; internal set; }

        /// <summary>SHA-256 fingerprint (hex).</summary>
        public string? Sha256Fingerprint { get; internal set; }

        /// <summary>Subject alternative names, "; "-separated (DNS names and addresses).</summary>
        public string? SubjectAlternativeNames { get; internal set; }

        /// <summary>TLS versions the server accepts (only with -IncludeTlsVersions).</summary>
        public IReadOnlyList<string>? AcceptedTlsVersions { get; internal set; }

        /// <summary>Protocol transcript (only with -IncludeTranscript); nothing secret is ever sent.</summary>
        public IReadOnlyList<string>? Transcript { get; internal set; }

        /// <summary>How long the probe took.</summary>
        public TimeSpan Duration { get; internal set; }

        /// <summary>What was found, worst first.</summary>
        public IReadOnlyList<Finding> Findings { get; internal set; } = Array.Empty<Finding>();

        /// <summary>How many times the endpoint was probed: more than 1 after a transient failure (421 busy, reset).</summary>
        public int Attempts { get; internal set; } = 1;

        /// <summary>The policy the verdict was reached under (Baseline, Strict or a user's policy's name).</summary>
        public string Policy { get; internal set; } = "Baseline";

        /// <summary>The finding ids, comma-separated, for flat exports (CSV).</summary>
        public string FindingIds => string.Join(",", System.Linq.Enumerable.Select(Findings, f => f.Id));

        /// <summary>The verdict under the policy the probe ran with.</summary>
        public Verdict Verdict { get; internal set; }

        /// <summary>host:port.</summary>
        public string Target => MailEndpoint.FormatTarget(HostName, Port);

        /// <inheritdoc />
        public override string ToString() => $"{Target} {Protocol} {Security}: {Verdict}";
    }
}
