using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Probing;
using MailTls.TestServers;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>Real Postfix and Dovecot (and the scripted servers) for the whole suite.</summary>
    public sealed class ServerFixture : IDisposable
    {
        public const string StateDirectory = "/tmp/mailtls-servers";

        public ServerFixture()
        {
            // Where the servers cannot run, every test of the collection is skipped (RealServerFact): start nothing.
            if (RealServers.Available)
            {
                Servers = TestServerSet.Start(StateDirectory);
                Root = X509CertificateLoader.LoadCertificateFromFile(Servers.Pki.RootPath);
            }
        }

        public TestServerSet? Servers { get; }

        public X509Certificate2? Root { get; }

        public static string Address(string serverCase) => ServerCase.All.Single(c => c.Name == serverCase).Address;

        public Task<EndpointReport> ProbeAsync(string serverCase, int port, MailProtocol protocol, MailSecurity security,
            bool trustTestRoot = true, Action<ProbeOptions>? configure = null, string? serverName = null, CancellationToken cancellationToken = default) =>
            ProbeAddressAsync(Address(serverCase), port, protocol, security, trustTestRoot, configure, serverName, cancellationToken);

        public Task<EndpointReport> ProbeAddressAsync(string address, int port, MailProtocol protocol, MailSecurity security,
            bool trustTestRoot = true, Action<ProbeOptions>? configure = null, string? serverName = null, CancellationToken cancellationToken = default)
        {
            var options = new ProbeOptions { Timeout = TimeSpan.FromSeconds(5), IncludeTranscript = true };
            if (trustTestRoot)
            {
                options.TrustedRoots.Add(Root!);
            }

            configure?.Invoke(options);
            return new EndpointProber(options).ProbeAsync(new MailEndpoint(address, port, protocol, security, serverName), cancellationToken);
        }

        public void Dispose() => Servers?.Dispose();
    }

    [CollectionDefinition(Name)]
    public sealed class ServerCollection : ICollectionFixture<ServerFixture>
    {
        public const string Name = "Real servers";
    }
}
