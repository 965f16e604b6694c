using System;
using System.Security.Cryptography.X509Certificates;
using MailTls.Policy;

namespace MailTls.Probing
{
    /// <summary>How probes run: the same for every endpoint of one call.</summary>
    public sealed class ProbeOptions
    {
        private TimeSpan _timeout = TimeSpan.FromSeconds(10);
        private int _maxConnectionsPerHost = 2;

        /// <summary>Bounds each phase as a whole (connect, greeting or reply, handshake). A probe never takes more than three of these plus 2 s.</summary>
        /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
        public TimeSpan Timeout
        {
            get => _timeout;
            set => _timeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The timeout must be positive.");
        }

        /// <summary>Roots trusted in addition to the system's, for private CAs that are not installed.</summary>
        public X509Certificate2Collection TrustedRoots { get; } = new X509Certificate2Collection();

        /// <summary>Also find which of TLS 1.0–1.3 the server accepts (extra connections, with BouncyCastle).</summary>
        public bool IncludeTlsVersions { get; set; }

        /// <summary>Keep the protocol transcript in the report.</summary>
        public bool IncludeTranscript { get; set; }

        /// <summary>DNS servers to resolve host names with; empty: the system's resolver.</summary>
        public System.Collections.Generic.IReadOnlyList<System.Net.IPEndPoint> DnsServers { get; set; } = Array.Empty<System.Net.IPEndPoint>();

        /// <summary>At most this many connections to one server address at once, across every probe of the run; 0: no limit.</summary>
        /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
        public int MaxConnectionsPerHost
        {
            get => _maxConnectionsPerHost;
            set => _maxConnectionsPerHost = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit cannot be negative.");
        }

        /// <summary>How often a probe that met a transient failure (421 busy, reset, closed early) is tried again, with backoff, within its time.</summary>
        public int Retries { get; set; } = 2;

        /// <summary>The policy that turns findings into a verdict.</summary>
        public ProbePolicy Policy { get; set; } = ProbePolicy.Baseline;
    }
}
