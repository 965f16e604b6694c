using System.Collections.Generic;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MailTls.Tls
{
    /// <summary>What a TLS handshake showed, whichever TLS stack ran it.</summary>
    internal sealed class TlsObservation
    {
        /// <summary>The versions a probe asks about (and BouncyCastle and the version hellos can offer), newest first.</summary>
        public static readonly int[] TestedVersions = { 0x0304, 0x0303, 0x0302, 0x0301 };

        public string? Version { get; set; }

        /// <summary>Numeric protocol version (0x0301 TLS 1.0 … 0x0304 TLS 1.3), for policy checks.</summary>
        public int VersionCode { get; set; }

        public string? CipherSuite { get; set; }

        /// <summary>The certificates the server sent, leaf first.</summary>
        public List<X509Certificate2> ServerCertificates { get; } = new List<X509Certificate2>();

        /// <summary>The platform's own verdict (name mismatch in particular); null when another stack observed.</summary>
        public SslPolicyErrors? PlatformPolicyErrors { get; set; }

        /// <summary>
        /// The chain the platform built during the handshake, with the trust <see cref="CertificateEvaluator"/> would
        /// use, so it is not built twice; null where it was not (another stack, or .NET Framework, whose handshake may
        /// fetch missing intermediates).
        /// </summary>
        public ChainVerdict? PlatformChain { get; set; }

        /// <summary>True when BouncyCastle observed the handshake because the platform's TLS refused it.</summary>
        public bool ObservedWithFallback { get; set; }

        public static string VersionName(int code) => code switch
        {
            0x0300 => "SSL 3.0",
            0x0301 => "TLS 1.0",
            0x0302 => "TLS 1.1",
            0x0303 => "TLS 1.2",
            0x0304 => "TLS 1.3",
            _ => "0x" + code.ToString("X4", System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Where a chain looked for its root.</summary>
    internal enum ChainTrust
    {
        /// <summary>The system's roots.</summary>
        System,

        /// <summary>Only the roots given (-TrustedRootCertificate and the policy's).</summary>
        GivenRoots,
    }

    /// <summary>The outcome of one chain build: trusted or not, why not, and how far it got (1: the leaf alone).</summary>
    internal sealed class ChainVerdict
    {
        public ChainVerdict(ChainTrust trust, bool trusted, HashSet<X509ChainStatusFlags> status, int length)
        {
            Trust = trust;
            Trusted = trusted;
            Status = status;
            Length = length;
        }

        public ChainTrust Trust { get; }

        public bool Trusted { get; }

        public HashSet<X509ChainStatusFlags> Status { get; }

        public int Length { get; }
    }
}
