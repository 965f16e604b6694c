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
    /// <summary>The plan a user must see, from a real DNS server, a real autoconfig server and the real mail servers.</summary>
    [Collection(ServerCollection.Name)]
    public class PortPlannerTests
    {
        private readonly ServerFixture _servers;

        public PortPlannerTests(ServerFixture servers) => _servers = servers;

        private PortPlanner Planner(bool probe = true, params Uri[] autoconfig)
        {
            var options = new PortPlanOptions
            {
                DnsServers = new[] { new IPEndPoint(IPAddress.Parse(Dnsmasq.Address), 53) },
                Timeout = TimeSpan.FromSeconds(3),
                NoProbe = !probe,
                AutoconfigUris = autoconfig,
            };
            options.TrustedRoots.Add(_servers.Root!);
            return new PortPlanner(options);
        }

        [RealServerFact]
        public async Task Recommends_the_verified_published_servers_and_nothing_the_domain_says_it_does_not_offer()
        {
            var (entries, _) = await Planner().PlanAsync(Dnsmasq.Domain, "alice@" + Dnsmasq.Domain, null, CancellationToken.None);
            var recommended = entries.Where(e => e.Recommended).Select(e => e.ToString()).ToArray();
            Assert.Equal(new[]
            {
                "Incoming Imap imap.srv.mailtls.test:10993 Implicit (recommended)",
                "Outgoing Smtp smtp.srv.mailtls.test:10465 Implicit (recommended)",
            }, recommended);

            // POP3: both SRV names say "." -> nothing recommended, though autoconfig's server answers.
            var pop3 = entries.Single(e => e.Protocol == MailProtocol.Pop3 && e.Port == 10110);
            Assert.True(pop3.Verified);
            Assert.False(pop3.Recommended);
            Assert.StartsWith("Answers, but not published", pop3.Caveats[0]);
            Assert.Contains(pop3.Caveats, c => c.Contains("download all mail again"));

            // The published SRV targets on the standard ports do not answer here: listed, ranked below, not recommended.
            var srvImap = entries.Where(e => e.Sources.Contains("SRV _imaps._tcp")).ToArray();
            Assert.Equal(2, srvImap.Length);
            Assert.All(srvImap, e => Assert.False(e.Verified));
            Assert.All(srvImap, e => Assert.Equal(Verdict.Error, e.Verdict));
            var imapRanks = entries.Where(e => e.Protocol == MailProtocol.Imap).OrderBy(e => e.Rank).ToArray();
            Assert.Equal(1, imapRanks[0].Rank);
            Assert.Equal(10993, imapRanks[0].Port);
            Assert.Equal(Enumerable.Range(1, imapRanks.Length), imapRanks.Select(e => e.Rank));

            // Every source was consulted: SRV, autoconfig, MX and conventional names.
            var sources = entries.SelectMany(e => e.Sources).Distinct().ToArray();
            Assert.Contains("SRV _submission._tcp", sources);
            Assert.Contains("autoconfig (HTTPS)", sources);
            Assert.Contains("MX", sources);
            Assert.Contains("guess", sources);
            Assert.DoesNotContain(entries, e => e.Recommended && e.Port == 25);
        }

        [RealServerFact]
        public async Task Without_probes_nothing_is_verified_or_recommended()
        {
            var (entries, _) = await Planner(probe: false).PlanAsync(Dnsmasq.Domain, null, null, CancellationToken.None);
            Assert.NotEmpty(entries);
            Assert.All(entries, e => Assert.Null(e.Verdict));
            Assert.DoesNotContain(entries, e => e.Recommended);
        }

        [RealServerFact]
        public async Task A_plan_whose_sources_do_not_answer_still_ends_within_its_bound()
        {
            // slow.mailtls.test's autoconfig server (scripted, named so) accepts connections and never answers.
            var options = new PortPlanOptions { DnsServers = new[] { new IPEndPoint(IPAddress.Parse(Dnsmasq.Address), 53) }, Timeout = TimeSpan.FromSeconds(2) };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (entries, notes) = await new PortPlanner(options).PlanAsync("slow.mailtls.test", null, null, CancellationToken.None);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3 * 2 + 2), $"took {clock.Elapsed}");
            Assert.Contains(notes, n => n.Contains("autoconfig"));
            Assert.DoesNotContain(entries, e => e.Recommended);
        }

        /// <summary>The recommended entries of a plan, as a user reads them, with the sources each came from.</summary>
        private async Task<(string[] Recommended, PortPlanEntry[] Entries, string[] Notes)> RecommendedAsync(string domain, PortPlanner? planner = null)
        {
            var (entries, notes) = await (planner ?? Planner()).PlanAsync(domain, "alice@" + domain, null, CancellationToken.None);
            return (entries.Where(e => e.Recommended).Select(e => $"{e} <- {string.Join(", ", e.Sources)}").ToArray(), entries.ToArray(), notes.ToArray());
        }

        [RealServerFact]
        public async Task An_srv_only_domain_gets_its_published_servers()
        {
            var (recommended, _, _) = await RecommendedAsync(Dnsmasq.SrvOnly);
            Assert.Equal(new[]
            {
                $"Incoming Imap imap.{Dnsmasq.SrvOnly}:{Ports.Imaps} Implicit (recommended) <- SRV _imaps._tcp",
                $"Outgoing Smtp smtp.{Dnsmasq.SrvOnly}:{Ports.Smtps} Implicit (recommended) <- SRV _submissions._tcp",
            }, recommended);
        }

        [RealServerFact]
        public async Task An_autoconfig_only_domain_gets_the_servers_of_its_file()
        {
            var (recommended, entries, _) = await RecommendedAsync(Dnsmasq.AutoconfigOnly);
            Assert.Equal(new[]
            {
                $"Incoming Imap imap.{Dnsmasq.AutoconfigOnly}:{Ports.Imaps} Implicit (recommended) <- autoconfig (HTTPS)",
                $"Incoming Pop3 pop.{Dnsmasq.AutoconfigOnly}:{Ports.Pop3} StartTls (recommended) <- autoconfig (HTTPS)",
                $"Outgoing Smtp smtp.{Dnsmasq.AutoconfigOnly}:{Ports.Smtps} Implicit (recommended) <- autoconfig (HTTPS)",
            }, recommended);
            Assert.DoesNotContain(entries, e => e.Sources.Any(s => s.StartsWith("SRV", StringComparison.Ordinal)));
        }

        [RealServerFact]
        public async Task An_mx_only_domain_gets_its_mail_exchanger_on_the_standard_ports()
        {
            var (recommended, _, _) = await RecommendedAsync(Dnsmasq.MxOnly);
            Assert.Equal(new[]
            {
                $"Incoming Imap mx.{Dnsmasq.MxOnly}:993 Implicit (recommended) <- MX",
                $"Incoming Pop3 mx.{Dnsmasq.MxOnly}:995 Implicit (recommended) <- MX",
                $"Outgoing Smtp mx.{Dnsmasq.MxOnly}:465 Implicit (recommended) <- MX",
            }, recommended);
        }

        [RealServerFact]
        public async Task A_domain_with_no_records_gets_the_conventional_names_that_answer()
        {
            var (recommended, _, _) = await RecommendedAsync(Dnsmasq.GuessOnly);
            Assert.Equal(new[]
            {
                $"Incoming Imap imap.{Dnsmasq.GuessOnly}:993 Implicit (recommended) <- guess",
                $"Incoming Pop3 imap.{Dnsmasq.GuessOnly}:995 Implicit (recommended) <- guess",
                $"Outgoing Smtp smtp.{Dnsmasq.GuessOnly}:465 Implicit (recommended) <- guess",
            }, recommended);
        }

        [RealServerFact]
        public async Task A_bad_certificate_on_993_makes_143_with_starttls_the_recommendation_and_says_why()
        {
            var (recommended, entries, _) = await RecommendedAsync(Dnsmasq.BadCertificate);
            Assert.Contains($"Incoming Imap imap.{Dnsmasq.BadCertificate}:{Ports.Imap} StartTls (recommended) <- SRV _imap._tcp", recommended);
            var best = entries.Single(e => e.Recommended && e.Protocol == MailProtocol.Imap);
            Assert.Equal(1, best.Rank);
            Assert.StartsWith("Recommended over implicit TLS, which is preferred, because imaps.", best.Caveats[0]);
            Assert.Contains("SelfSigned", best.Caveats[0]);
            var implicitTls = entries.Single(e => e.HostName == "imaps." + Dnsmasq.BadCertificate);
            Assert.Equal((Verdict.Fail, 2), (implicitTls.Verdict!.Value, implicitTls.Rank));
        }

        [RealServerFact]
        public async Task A_domain_with_no_secure_option_gets_no_recommendation_and_a_note()
        {
            var (recommended, entries, notes) = await RecommendedAsync(Dnsmasq.PlaintextOnly);
            Assert.Empty(recommended);
            Assert.Contains(entries, e => e.Port == Ports.Imap && e.Verdict == Verdict.Fail);
            Assert.Contains(notes, n => n.StartsWith("No secure Imap server was found for " + Dnsmasq.PlaintextOnly, StringComparison.Ordinal));
            Assert.Contains(notes, n => n.StartsWith("No secure Smtp server", StringComparison.Ordinal));
        }

        [RealServerFact]
        public async Task An_autoconfig_file_given_by_address_is_one_more_source()
        {
            var file = new Uri($"https://autoconfig.{Dnsmasq.AutoconfigOnly}/mail/config-v1.1.xml");
            var (recommended, _, _) = await RecommendedAsync("other.mailtls.test", Planner(autoconfig: file));
            Assert.Contains($"Outgoing Smtp smtp.{Dnsmasq.AutoconfigOnly}:{Ports.Smtps} Implicit (recommended) <- autoconfig (given)", recommended);
        }

        [Fact]
        public void Offline_gives_the_table_at_once()
        {
            var entries = new PortPlanner(new PortPlanOptions()).Offline("mail.example.com");
            Assert.Equal(new[]
            {
                "Incoming Imap mail.example.com:993 Implicit (recommended)",
                "Incoming Pop3 mail.example.com:995 Implicit (recommended)",
                "Outgoing Smtp mail.example.com:465 Implicit (recommended)",
            }, entries.Select(e => e.ToString()));
            Assert.Contains(entries.Single(e => e.Port == 465).Caveats, c => c.Contains("Office XP"));
        }
    }
}
