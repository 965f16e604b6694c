using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MailTls.PortPlan;
using MailTls.TestServers;
using Xunit;

namespace MailTls.Core.Tests
{
    /// <summary>DNS discovery against a real DNS server (dnsmasq) on loopback; no query leaves the machine.</summary>
    [Collection(ServerCollection.Name)]
    public class DnsDiscoveryTests
    {
        private static readonly IPEndPoint Server = new(IPAddress.Parse(Dnsmasq.Address), 53);

        private static Task<DnsFindings> DiscoverAsync(string domain) =>
            new DnsDiscovery(new[] { Server }, TimeSpan.FromSeconds(3)).DiscoverAsync(domain, CancellationToken.None);

        [RealServerFact]
        public async Task Srv_records_come_back_best_first_with_their_modes()
        {
            var found = await DiscoverAsync(Dnsmasq.Domain);
            Assert.Empty(found.Notes);
            var imaps = found.Services.Where(s => s.Service == "_imaps._tcp").ToArray();
            Assert.Equal(new[] { "imap2.srv.mailtls.test", "imap.srv.mailtls.test" }, imaps.Select(s => s.Host)); // same priority: weight 50 first
            Assert.All(imaps, s => Assert.Equal(MailSecurity.Implicit, s.Security));
            var imap = Assert.Single(found.Services, s => s.Service == "_imap._tcp");
            Assert.Equal((MailProtocol.Imap, MailSecurity.StartTls, 143, 20), (imap.Protocol, imap.Security, imap.Port, imap.Priority));
            var submissions = Assert.Single(found.Services, s => s.Service == "_submissions._tcp");
            Assert.Equal((MailProtocol.Smtp, MailSecurity.Implicit, 465), (submissions.Protocol, submissions.Security, submissions.Port));
            Assert.Equal(587, Assert.Single(found.Services, s => s.Service == "_submission._tcp").Port);
        }

        [RealServerFact]
        public async Task A_dot_target_says_the_service_is_not_offered()
        {
            var found = await DiscoverAsync(Dnsmasq.Domain);
            var pop3 = found.Services.Where(s => s.Protocol == MailProtocol.Pop3).ToArray();
            Assert.Equal(2, pop3.Length);
            Assert.All(pop3, s => Assert.True(s.NotOffered, s.ToString()));
            Assert.All(pop3, s => Assert.Null(s.Host));
        }

        [RealServerFact]
        public async Task Mx_hosts_come_back_by_preference()
        {
            var found = await DiscoverAsync(Dnsmasq.Domain);
            Assert.Equal(new[] { ("mx1.srv.mailtls.test", 10), ("mx2.srv.mailtls.test", 20) }, found.MailExchangers);
        }

        [RealServerFact]
        public async Task A_domain_without_records_has_none_and_no_error()
        {
            var found = await DiscoverAsync("nothing.mailtls.test");
            Assert.Empty(found.Services);
            Assert.Empty(found.MailExchangers);
            Assert.Empty(found.Notes); // NXDOMAIN is an answer, not a failure
        }

        [RealServerFact]
        public async Task A_dns_server_that_does_not_answer_is_a_note_not_an_exception()
        {
            // Nothing listens on this loopback address's port 53.
            var silent = new DnsDiscovery(new[] { new IPEndPoint(IPAddress.Parse("127.0.0.55"), 53) }, TimeSpan.FromMilliseconds(500));
            var found = await silent.DiscoverAsync(Dnsmasq.Domain, CancellationToken.None);
            Assert.Empty(found.Services);
            Assert.NotEmpty(found.Notes);
            Assert.All(found.Notes, n => Assert.Contains("srv.mailtls.test", n));
        }
    }
}
