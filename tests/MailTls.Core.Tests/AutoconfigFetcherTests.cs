using System;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MailTls.PortPlan;
using MailTls.TestServers;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>Autoconfig over a real nginx on loopback, names resolved by the real dnsmasq: nothing leaves the machine.</summary>
    [Collection(ServerCollection.Name)]
    public class AutoconfigFetcherTests
    {
        private readonly ServerFixture _servers;

        public AutoconfigFetcherTests(ServerFixture servers) => _servers = servers;

        private Task<System.Collections.Generic.IReadOnlyList<AutoconfigResult>> FetchAsync(string domain, bool trustTestRoot = true)
        {
            var dns = new DnsDiscovery(new[] { new IPEndPoint(IPAddress.Parse(Dnsmasq.Address), 53) }, TimeSpan.FromSeconds(3));
            var roots = trustTestRoot ? new X509Certificate2Collection(_servers.Root!) : new X509Certificate2Collection();
            return new AutoconfigFetcher(dns, roots, TimeSpan.FromSeconds(3)).FetchAsync(domain, "alice@" + domain, CancellationToken.None);
        }

        [RealServerFact]
        public async Task Both_https_addresses_give_the_servers_and_http_is_not_asked()
        {
            var results = await FetchAsync(Dnsmasq.Domain);
            Assert.Equal(new[] { "https://autoconfig.srv.mailtls.test/mail/config-v1.1.xml?emailaddress=alice%40srv.mailtls.test", "https://srv.mailtls.test/.well-known/autoconfig/mail/config-v1.1.xml" },
                results.Select(r => r.Url));
            Assert.All(results, r => Assert.True(r.Secure));
            Assert.All(results, r => Assert.Null(r.Note));
            Assert.Equal(new[] { "Incoming Imap imap.srv.mailtls.test:10993 Implicit", "Incoming Pop3 pop.srv.mailtls.test:10110 StartTls", "Outgoing Smtp smtp.srv.mailtls.test:10465 Implicit" },
                results[0].Servers.Select(s => s.ToString()));
        }

        [RealServerFact]
        public async Task An_untrusted_certificate_is_refused_and_plain_http_is_marked_as_such()
        {
            var results = await FetchAsync(Dnsmasq.Domain, trustTestRoot: false);
            var https = results.Where(r => r.Url.StartsWith("https:", StringComparison.Ordinal)).ToArray();
            Assert.Equal(2, https.Length);
            Assert.All(https, r => Assert.Empty(r.Servers));
            Assert.All(https, r => Assert.NotNull(r.Note));
            Assert.All(results.Where(r => r.Url.StartsWith("http:", StringComparison.Ordinal)), r => Assert.False(r.Secure));
            Assert.Equal(4, results.Count);
        }

        [RealServerFact]
        public async Task An_http_only_domain_gives_servers_from_a_lower_trust_source()
        {
            var results = await FetchAsync("httponly.mailtls.test");
            var found = Assert.Single(results, r => r.Servers.Count > 0);
            Assert.False(found.Secure);
            Assert.Equal("http://httponly.mailtls.test/.well-known/autoconfig/mail/config-v1.1.xml", found.Url);
            Assert.Contains(found.Servers, s => s.HostName == "imap.httponly.mailtls.test");
        }

        [RealServerTheory]
        [InlineData("html.mailtls.test", "not 'clientConfig'")]
        [InlineData("huge.mailtls.test", "larger than")]
        public async Task A_page_that_is_not_an_autoconfig_file_is_a_note(string domain, string evidence)
        {
            var results = await FetchAsync(domain);
            var https = results.First(r => r.Url == $"https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml");
            Assert.Empty(https.Servers);
            Assert.Contains(evidence, https.Note);
        }
    }
}
