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
        [OpensslServerFact]
        public async Task Each_handshake_with_the_same_server_is_a_full_one()
        {
            using var server = StatusPageServer.Start();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            for (var i = 0; i < 3; i++)
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, server.Port, timeout.Token);
                var (ssl, _) = await PlatformTls.HandshakeAsync(tcp.GetStream(), "mail.example.test", roots: null, timeout.Token);
                using (ssl)
                {
                    await ssl.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n"), timeout.Token);
                    var page = await new StreamReader(ssl).ReadToEndAsync(timeout.Token);
                    Assert.Matches("(?m)^New, TLSv1", page);
                    Assert.DoesNotContain("Reused,", page);
                }
            }
        }

        /// <summary>openssl s_server on a loopback port it picks itself, with a self-signed certificate made for the test.</summary>
        private sealed class StatusPageServer : IDisposable
        {
            private readonly Process _process;
            private readonly string _directory;

            private StatusPageServer(Process process, string directory, int port)
            {
                _process = process;
                _directory = directory;
                Port = port;
            }

            public int Port { get; }

            public static StatusPageServer Start()
            {
                var directory = Directory.CreateTempSubdirectory("mailtls-resume-").FullName;
                Process? process = null;
                try
                {
                    using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                    {
                        var request = new CertificateRequest("CN=mail.example.test", key, HashAlgorithmName.SHA256);
                        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
                        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
                        File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
                    }

                    process = Process.Start(new ProcessStartInfo("openssl")
                    {
                        ArgumentList = { "s_server", "-accept", "127.0.0.1:0", "-cert", "cert.pem", "-key", "key.pem", "-www" },
                        WorkingDirectory = directory,
                        RedirectStandardInput = true,
                        RedirectStandardOutput = true,
                    })!;

                    // Once it listens, s_server says where ("ACCEPT 127.0.0.1:41234"), after a line or two about its
                    // parameters. Its later output is drained.
                    var port = ListeningPort(process).WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
                    _ = process.StandardOutput.ReadToEndAsync();
                    return new StatusPageServer(process, directory, port);
                }
                catch
                {
                    Stop(process, directory);
                    throw;
                }
            }

            public void Dispose() => Stop(_process, _directory);

            private static async Task<int> ListeningPort(Process process)
            {
                string? line;
                while ((line = await process.StandardOutput.ReadLineAsync()) != null)
                {
                    if (line.StartsWith("ACCEPT ", StringComparison.Ordinal))
                    {
                        return int.Parse(line.Substring(line.LastIndexOf(':') + 1), System.Globalization.CultureInfo.InvariantCulture);
                    }
                }

                throw new InvalidOperationException("openssl s_server ended before it listened.");
            }

            private static void Stop(Process? process, string directory)
            {
                if (process != null)
                {
                    if (!process.HasExited)
                    {
                        process.Kill();
                    }

                    process.WaitForExit();
                    process.Dispose();
                }

                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
