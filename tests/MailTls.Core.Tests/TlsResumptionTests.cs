using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Tls;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>
    /// Every probe sees the server's own full handshake. A resumed session (which .NET offers by default to a host it
    /// has met) carries no certificate from the server, so a report built on one would describe an earlier
    /// connection's chain. The server is <c>openssl s_server -www</c>, a real OpenSSL server that resumes sessions
    /// by default and says on its status page whether each connection was "New" or "Reused".
    /// </summary>
    public sealed class TlsResumptionTests
    {
        [Fact]
        public async Task Each_handshake_with_the_same_server_is_a_full_one()
        {
            using var server = StatusPageServer.Start();
            for (var i = 0; i < 3; i++)
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
                var (ssl, observation) = await PlatformTls.HandshakeAsync(tcp.GetStream(), "mail.example.test", roots: null, CancellationToken.None);
                using (ssl)
                {
                    await ssl.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n"));
                    var page = await new StreamReader(ssl).ReadToEndAsync();
                    Assert.Matches("(?m)^New, TLSv1", page);
                    Assert.DoesNotContain("Reused,", page);
                    Assert.Equal(server.Certificate.Thumbprint, Assert.Single(observation.ServerCertificates).Thumbprint);
                }
            }
        }

        /// <summary>openssl s_server on a free loopback port, with a self-signed certificate made for the test.</summary>
        private sealed class StatusPageServer : IDisposable
        {
            private readonly Process _process;
            private readonly string _directory;

            private StatusPageServer(Process process, string directory, int port, X509Certificate2 certificate)
            {
                _process = process;
                _directory = directory;
                Port = port;
                Certificate = certificate;
            }

            public int Port { get; }

            public X509Certificate2 Certificate { get; }

            public static StatusPageServer Start()
            {
                var directory = Directory.CreateTempSubdirectory("mailtls-resume-").FullName;
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var request = new CertificateRequest("CN=mail.example.test", key, HashAlgorithmName.SHA256);
                var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
                File.WriteAllText(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
                File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());

                var port = FreePort();
                var process = Process.Start(new ProcessStartInfo("openssl")
                {
                    ArgumentList = { "s_server", "-accept", $"127.0.0.1:{port}", "-cert", "cert.pem", "-key", "key.pem", "-www", "-quiet" },
                    WorkingDirectory = directory,
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                })!;
                var server = new StatusPageServer(process, directory, port, certificate);
                server.WaitUntilListening();
                return server;
            }

            public void Dispose()
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                }

                _process.WaitForExit();
                _process.Dispose();
                Directory.Delete(_directory, recursive: true);
            }

            private static int FreePort()
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                return port;
            }

            private void WaitUntilListening()
            {
                var clock = Stopwatch.StartNew();
                while (true)
                {
                    try
                    {
                        using var probe = new TcpClient();
                        probe.Connect(IPAddress.Loopback, Port);
                        return;
                    }
                    catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(10) && !_process.HasExited)
                    {
                        Thread.Sleep(20);
                    }
                }
            }
        }
    }
}
