using System;
using System.IO;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.Tls
{
    /// <summary>
    /// The handshake with the platform's TLS (SslStream: OpenSSL on Linux, Schannel on Windows). This session
    /// carries the post-TLS capability dialog, so it is the one the report describes whenever the platform
    /// accepts the server. It accepts any certificate on purpose: the probe never sends credentials, and the
    /// certificate is judged afterwards by <see cref="CertificateEvaluator"/>, so a bad certificate still
    /// yields a full report.
    /// </summary>
    internal static class PlatformTls
    {
        /// <param name="transport">The connection, at the point where TLS starts.</param>
        /// <param name="serverName">The name to ask for (SNI) and to match.</param>
        /// <param name="roots">The roots to check the chain against (see <see cref="CertificateEvaluator.TrustForHandshake"/>); null: the system's.</param>
        /// <param name="cancellationToken">Ends the handshake.</param>
        public static async Task<(SslStream Stream, TlsObservation Observation)> HandshakeAsync(Stream transport, string serverName, X509Certificate2Collection? roots, CancellationToken cancellationToken)
        {
            var observation = new TlsObservation();
            bool Capture(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
            {
                observation.PlatformPolicyErrors = errors;
                if (certificate != null)
                {
                    observation.ServerCertificates.Add(new X509Certificate2(certificate));
                }
#if NET
                // On .NET 5+ the chain's extra store holds exactly the certificates the server sent after its leaf.
                if (chain != null)
                {
                    // Built with the evaluator's own policy, so it need not build it again.
                    observation.PlatformChain = CertificateEvaluator.Verdict(roots == null ? ChainTrust.System : ChainTrust.GivenRoots,
                        (errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0, chain);

                    foreach (var extra in chain.ChainPolicy.ExtraStore)
                    {
                        // The store may repeat the leaf; keep each certificate once, leaf first.
                        if (!observation.ServerCertificates.Exists(c => c.Thumbprint == extra.Thumbprint))
                        {
                            observation.ServerCertificates.Add(new X509Certificate2(extra));
                        }
                    }
                }
#else
                if (chain != null)
                {
                    for (var i = 1; i < chain.ChainElements.Count; i++)
                    {
                        observation.ServerCertificates.Add(new X509Certificate2(chain.ChainElements[i].Certificate));
                    }
                }
#endif
                return true;
            }

            var ssl = new SslStream(transport, leaveInnerStreamOpen: true, Capture);
            try
            {
#if NET
                var options = new SslClientAuthenticationOptions
                {
                    TargetHost = serverName,
                    EnabledSslProtocols = SslProtocols.None, // the platform's own choice of versions
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    AllowRenegotiation = false,
                    // Always a full handshake: a resumed session (which .NET offers by default, per target host) shows
                    // no certificate from the server, so the report would describe an earlier connection's chain.
                    AllowTlsResume = false,
                    // Never fetch intermediates or revocation data: a probe talks to the endpoint and nothing else,
                    // and a missing intermediate must be seen as the server's fault, not repaired silently.
                    CertificateChainPolicy = CertificateEvaluator.ServerChainPolicy(roots),
                };
                await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
                observation.CipherSuite = ssl.NegotiatedCipherSuite.ToString();
#else
                // .NET Framework has no switch for resumption: Schannel may resume a session with a server this process
                // met before, and then the certificate is the one of that earlier handshake.
                using (cancellationToken.Register(() => ssl.Dispose()))
                {
                    await ssl.AuthenticateAsClientAsync(serverName, null, SslProtocols.None, checkCertificateRevocation: false).ConfigureAwait(false);
                }

                observation.CipherSuite = $"{ssl.KeyExchangeAlgorithm} {ssl.CipherAlgorithm} {ssl.CipherStrength} {ssl.HashAlgorithm}";
#endif
                observation.VersionCode = VersionCode(ssl.SslProtocol);
                observation.Version = TlsObservation.VersionName(observation.VersionCode);
                return (ssl, observation);
            }
            catch
            {
                ssl.Dispose();
                throw;
            }
        }

        private static int VersionCode(SslProtocols protocol)
        {
#pragma warning disable CS0618, SYSLIB0039 // naming old versions is the point of a probe
            switch (protocol)
            {
                case SslProtocols.Ssl3: return 0x0300;
                case SslProtocols.Tls: return 0x0301;
                case SslProtocols.Tls11: return 0x0302;
                case SslProtocols.Tls12: return 0x0303;
                default: return (int)protocol == 12288 ? 0x0304 : 0;
            }
#pragma warning restore CS0618, SYSLIB0039
        }
    }
}
