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
}
