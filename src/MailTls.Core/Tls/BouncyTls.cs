using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace MailTls.Tls
{
    /// <summary>
    /// A TLS client of our own choosing (BouncyCastle), so the report does not depend on the local OpenSSL or
    /// Schannel policy: it offers exactly the versions asked, and it observes servers that the platform refuses
    /// (TLS 1.0/1.1 on Debian's OpenSSL). It only observes: no application data is ever sent over its sessions.
    /// Which versions a server accepts is asked more cheaply, hello by hello (<see cref="HelloProbe"/>).
    /// Runs BouncyCastle in its non-blocking mode so the socket I/O stays asynchronous.
    /// </summary>
    internal static class BouncyTls
    {
        private static readonly SecureRandom Random = new SecureRandom();

        // Every suite BouncyCastle names, but those needing a pre-shared key, SRP or a password, and the signalling values.
        private static readonly int[] AllCipherSuites = typeof(CipherSuite)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .Where(f => !f.Name.Contains("PSK") && !f.Name.Contains("SRP") && !f.Name.Contains("ECCPWD") && !f.Name.Contains("SCSV"))
            .Select(f => (int)f.GetValue(null)!)
            .Distinct()
            .ToArray();

        /// <summary>Runs a whole handshake offering <paramref name="versions"/>, to see the version, cipher and certificates.</summary>
        /// <exception cref="TlsException">The server refused or broke the handshake.</exception>
        /// <exception cref="IOException">The connection failed.</exception>
        public static async Task<TlsObservation> HandshakeAsync(Stream transport, string serverName, IReadOnlyList<int> versions, CancellationToken cancellationToken)
        {
            var client = new ObservingClient(new BcTlsCrypto(Random), serverName, versions);
            var protocol = new TlsClientProtocol();
            var buffer = new byte[16 * 1024];
            try
            {
                protocol.Connect(client);
                while (true)
                {
                    await FlushAsync(protocol, transport, buffer, cancellationToken).ConfigureAwait(false);
                    if (client.Complete)
                    {
                        break;
                    }

                    var read = await transport.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new EndOfStreamException("The server closed the connection during the TLS handshake.");
                    }

                    protocol.OfferInput(buffer, 0, read);
                }
            }
            finally
            {
                try
                {
                    protocol.Close();
                }
                catch (IOException)
                {
                    // Closing a session that never finished may fail; nothing is left to protect.
                }
            }

            var observation = new TlsObservation
            {
                VersionCode = client.VersionCode,
                Version = TlsObservation.VersionName(client.VersionCode),
                CipherSuite = client.CipherSuite == 0 ? null : CipherSuiteName(client.CipherSuite),
                ObservedWithFallback = true,
            };
            observation.ServerCertificates.AddRange(client.Certificates);
            return observation;
        }

        private static async Task FlushAsync(TlsClientProtocol protocol, Stream transport, byte[] buffer, CancellationToken cancellationToken)
        {
            int available;
            while ((available = protocol.GetAvailableOutputBytes()) > 0)
            {
                var n = protocol.ReadOutput(buffer, 0, Math.Min(available, buffer.Length));
                await transport.WriteAsync(buffer, 0, n, cancellationToken).ConfigureAwait(false);
            }
        }

        private static string CipherSuiteName(int suite)
        {
#if NET
            // IANA numbers: .NET's TlsCipherSuite enum names them as the platform path does.
            var name = ((System.Net.Security.TlsCipherSuite)suite).ToString();
            if (!char.IsDigit(name[0]))
            {
                return name;
            }
#endif
            return "0x" + suite.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        }

        private sealed class ObservingClient : DefaultTlsClient
        {
            private readonly string _serverName;
            private readonly IReadOnlyList<int> _versions;

            public ObservingClient(BcTlsCrypto crypto, string serverName, IReadOnlyList<int> versions)
                : base(crypto)
            {
                _serverName = serverName;
                _versions = versions;
            }

            public int VersionCode { get; private set; }

            public int CipherSuite { get; private set; }

            public bool Complete { get; private set; }

            public List<X509Certificate2> Certificates { get; } = new List<X509Certificate2>();

            /// <summary>
            /// BouncyCastle's defaults first (modern suites), then every other suite it implements that needs no
            /// pre-shared secret: an observer must reach servers that only speak AES-256 or 3DES, or it would call a
            /// version refused, or a legacy server unreachable, for want of a cipher.
            /// </summary>
            protected override int[] GetSupportedCipherSuites()
            {
                var preferred = base.GetSupportedCipherSuites();
                var rest = AllCipherSuites.Where(s => Array.IndexOf(preferred, s) < 0).ToArray();
                return preferred.Concat(TlsUtilities.GetSupportedCipherSuites(Crypto, rest)).ToArray();
            }

            protected override ProtocolVersion[] GetSupportedVersions()
            {
                var result = new List<ProtocolVersion>();
                foreach (var code in _versions)
                {
                    result.Add(ProtocolVersion.Get(code >> 8, code & 0xff));
                }

                return result.ToArray();
            }

            protected override IList<ServerName>? GetSniServerNames() =>
                IPAddress.TryParse(_serverName, out _) ? null
                : new List<ServerName> { new ServerName(NameType.host_name, Encoding.ASCII.GetBytes(_serverName)) };

            public override void NotifyServerVersion(ProtocolVersion serverVersion)
            {
                base.NotifyServerVersion(serverVersion);
                VersionCode = (serverVersion.MajorVersion << 8) | serverVersion.MinorVersion;
            }

            public override void NotifySelectedCipherSuite(int selectedCipherSuite)
            {
                base.NotifySelectedCipherSuite(selectedCipherSuite);
                CipherSuite = selectedCipherSuite;
            }

            public override void NotifyHandshakeComplete()
            {
                base.NotifyHandshakeComplete();
                Complete = true;
            }

            public override TlsAuthentication GetAuthentication() => new CapturingAuthentication(this);

            private sealed class CapturingAuthentication : TlsAuthentication
            {
                private readonly ObservingClient _owner;

                public CapturingAuthentication(ObservingClient owner) => _owner = owner;

                // Capture only: the chain is judged by CertificateEvaluator, like the platform's.
                public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
                {
                    var chain = serverCertificate.Certificate;
                    for (var i = 0; i < chain.Length; i++)
                    {
                        _owner.Certificates.Add(X509CertificateLoader.LoadCertificate(chain.GetCertificateAt(i).GetEncoded()));
                    }
                }

                public TlsCredentials? GetClientCredentials(Org.BouncyCastle.Tls.CertificateRequest certificateRequest) => null;
            }
        }
    }
}
