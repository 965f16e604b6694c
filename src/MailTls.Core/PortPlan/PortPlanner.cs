using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Endpoints;
using MailTls.Probing;

namespace MailTls.PortPlan
{
    /// <summary>How a plan is made.</summary>
    public sealed class PortPlanOptions
    {
        /// <summary>DNS servers for every look-up; none: the system's resolvers (never public ones).</summary>
        public IReadOnlyList<IPEndPoint> DnsServers { get; set; } = Array.Empty<IPEndPoint>();

        /// <summary>Bounds each DNS query, autoconfig request and probe phase.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Roots trusted besides the system's (probes and autoconfig over HTTPS).</summary>
        public X509Certificate2Collection TrustedRoots { get; } = new X509Certificate2Collection();

        /// <summary>The protocols to plan; empty: all three.</summary>
        public IReadOnlyList<MailProtocol> Protocols { get; set; } = Array.Empty<MailProtocol>();

        /// <summary>Discover only; probe nothing.</summary>
        public bool NoProbe { get; set; }

        /// <summary>How many probes run at once.</summary>
        public int ThrottleLimit { get; set; } = 16;

        /// <summary>At most this many probes of the plan connect to one server address at once; 0: no limit.</summary>
        public int MaxConnectionsPerHost { get; set; } = 2;

        /// <summary>The policy the probes' verdicts (and so the ranking) are reached under.</summary>
        public Policy.ProbePolicy Policy { get; set; } = MailTls.Policy.ProbePolicy.Baseline;

        /// <summary>Autoconfig files to read besides the domain's own addresses (an ISP's or a company's), HTTPS or HTTP.</summary>
        public IReadOnlyList<Uri> AutoconfigUris { get; set; } = Array.Empty<Uri>();
    }

    /// <summary>
    /// Works out which port and security mode each protocol should use: discovers candidates (SRV, autoconfig, MX,
    /// conventional names), probes them concurrently, ranks them and recommends at most one per role and protocol.
    /// </summary>
    public sealed class PortPlanner
    {
        private static readonly MailProtocol[] AllProtocols = { MailProtocol.Imap, MailProtocol.Pop3, MailProtocol.Smtp };
        private static readonly string[] ConventionalPrefixes = { "imap.", "pop.", "pop3.", "smtp.", "mail.", string.Empty };
        private readonly PortPlanOptions _options;

        /// <summary>Creates a planner.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
        public PortPlanner(PortPlanOptions options) => _options = options ?? throw new ArgumentNullException(nameof(options));

        /// <summary>
        /// The table of the provider pages, without any network: one recommended entry per protocol, IMAP 993,
        /// POP3 995 and SMTP 465, all implicit TLS.
        /// </summary>
        public IReadOnlyList<PortPlanEntry> Offline(string hostName)
        {
            var entries = Protocols().Select((p, i) =>
            {
                var port = WellKnownPorts.DefaultPort(p, MailSecurity.Implicit);
                var entry = new PortPlanEntry(RoleOf(p), p, hostName, port, MailSecurity.Implicit, new[] { "table" }) { Rank = 1, Recommended = true };
                entry.Caveats = Caveats(entry);
                return entry;
            }).ToArray();
            return entries;
        }

        /// <summary>Plans for a domain (and the user's address, for autoconfig), or for one known server.</summary>
        /// <param name="domain">The mail domain.</param>
        /// <param name="emailAddress">The user's address, if known.</param>
        /// <param name="hostName">A known server: skip discovery and plan its ports.</param>
        /// <param name="cancellationToken">Stops the plan.</param>
        /// <returns>The entries, best first per role and protocol, and the sources' notes.</returns>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public async Task<(IReadOnlyList<PortPlanEntry> Entries, IReadOnlyList<string> Notes)> PlanAsync(string domain, string? emailAddress, string? hostName, CancellationToken cancellationToken)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var dns = new DnsDiscovery(_options.DnsServers, _options.Timeout);
            var notes = new List<string>();
            var candidates = new Dictionary<(MailProtocol, string, int, MailSecurity), Candidate>();
            void Add(MailProtocol protocol, string host, int port, MailSecurity security, string source, int priority = 100, int weight = 0)
            {
                if (!Protocols().Contains(protocol))
                {
                    return;
                }

                var key = (protocol, host.ToLowerInvariant(), port, security);
                if (!candidates.TryGetValue(key, out var candidate))
                {
                    candidates[key] = candidate = new Candidate(protocol, host.ToLowerInvariant(), port, security);
                }

                candidate.Sources.Add(source);
                candidate.Priority = Math.Min(candidate.Priority, priority);
                candidate.Weight = Math.Max(candidate.Weight, weight);
            }

            var notOffered = new HashSet<MailProtocol>();
            if (hostName != null)
            {
                AddTable(hostName, "given", Add);
            }
            else
            {
                // Every source, every run, all at once: an SRV answer does not skip autoconfig. Discovery as a whole
                // gets one timeout; what has not answered by then is a note, and the plan goes on with the rest.
                using var discovery = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                discovery.CancelAfter(_options.Timeout);
                var srvTask = dns.DiscoverAsync(domain, discovery.Token);
                var fetcher = new AutoconfigFetcher(dns, _options.TrustedRoots, _options.Timeout);
                var autoconfigTask = fetcher.FetchAsync(domain, emailAddress, discovery.Token);
                var givenTasks = _options.AutoconfigUris.Select(uri => fetcher.FetchUriAsync(uri, domain, emailAddress, discovery.Token)).ToArray();
                var guessTasks = ConventionalPrefixes.Select(prefix => (Host: prefix + domain, Addresses: dns.ResolveAsync(prefix + domain, discovery.Token))).ToArray();

                var found = await Within(srvTask, "DNS SRV and MX", notes, cancellationToken).ConfigureAwait(false);
                foreach (var record in found?.Services.Where(r => !r.NotOffered) ?? Enumerable.Empty<ServiceRecord>())
                {
                    Add(record.Protocol, record.Host!, record.Port, record.Security, "SRV " + record.Service, record.Priority, record.Weight);
                }

                if (found != null)
                {
                    notes.AddRange(found.Notes);

                    // Both SRV names of a protocol saying "." means: not offered, whoever answers on its ports.
                    foreach (var protocol in AllProtocols)
                    {
                        var records = found.Services.Where(r => r.Protocol == protocol).ToArray();
                        if (records.Length > 0 && records.All(r => r.NotOffered) && records.Select(r => r.Service).Distinct().Count() == 2)
                        {
                            notOffered.Add(protocol);
                        }
                    }
                }

                foreach (var result in await Within(autoconfigTask, "autoconfig", notes, cancellationToken).ConfigureAwait(false) ?? Array.Empty<AutoconfigResult>())
                {
                    if (result.Note != null && result.Servers.Count == 0)
                    {
                        notes.Add($"autoconfig {result.Url}: {result.Note}");
                    }

                    foreach (var server in result.Servers)
                    {
                        Add(server.Protocol, server.HostName, server.Port, server.Security, result.Secure ? "autoconfig (HTTPS)" : "autoconfig (HTTP, lower trust)");
                    }
                }

                foreach (var given in givenTasks)
                {
                    var result = await Within(given, "the autoconfig file given", notes, cancellationToken).ConfigureAwait(false);
                    if (result?.Note != null && result.Servers.Count == 0)
                    {
                        notes.Add($"autoconfig {result.Url}: {result.Note}");
                    }

                    foreach (var server in result?.Servers ?? Array.Empty<AutoconfigServer>())
                    {
                        Add(server.Protocol, server.HostName, server.Port, server.Security, result!.Secure ? "autoconfig (given)" : "autoconfig (given, HTTP, lower trust)");
                    }
                }

                foreach (var (mx, _) in found?.MailExchangers ?? Array.Empty<(string, int)>())
                {
                    AddTable(mx, "MX", Add);
                }

                foreach (var (host, addresses) in guessTasks)
                {
                    if ((await Within(addresses, "the address of " + host, notes, cancellationToken).ConfigureAwait(false))?.Count > 0)
                    {
                        AddTable(host, "guess", Add);
                    }
                }
            }

            var entries = candidates.Values.Select(c => c.ToEntry()).ToList();
            if (!_options.NoProbe)
            {
                await ProbeAsync(entries, dns, TimeSpan.FromTicks(_options.Timeout.Ticks * 3) - clock.Elapsed, cancellationToken).ConfigureAwait(false);
            }

            Rank(entries, candidates, notOffered);
            if (!_options.NoProbe)
            {
                foreach (var group in entries.GroupBy(e => e.Protocol).Where(g => !notOffered.Contains(g.Key) && !g.Any(e => e.Recommended)))
                {
                    notes.Add(group.Any(e => e.Verified && e.Port == 25)
                        ? $"No SMTP submission server was found for {domain}: only port 25 passed, which is for server-to-server mail and which many ISPs block; ask the provider for 465 or 587."
                        : $"No secure {group.Key} server was found for {domain}: none of its {group.Count()} candidate endpoints passed the checks with TLS, and MailTls never recommends plaintext. Ask the provider, or look at the entries' reports.");
                }
            }

            return (entries.OrderBy(e => e.Role).ThenBy(e => Array.IndexOf(AllProtocols, e.Protocol)).ThenBy(e => e.Rank).ToArray(), notes);
        }

        /// <summary>The task's result, or null (with a note) when discovery's time ran out first.</summary>
        private static async Task<T?> Within<T>(Task<T> task, string what, List<string> notes, CancellationToken cancellationToken)
            where T : class
        {
            try
            {
                return await task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                notes.Add($"No answer for {what} within the timeout; the plan uses the other sources.");
                return null;
            }
        }

        private IReadOnlyList<MailProtocol> Protocols() => _options.Protocols.Count > 0 ? _options.Protocols : AllProtocols;

        private static void AddTable(string host, string source, Action<MailProtocol, string, int, MailSecurity, string, int, int> add)
        {
            foreach (var (protocol, port, security) in new[]
            {
                (MailProtocol.Imap, 993, MailSecurity.Implicit), (MailProtocol.Imap, 143, MailSecurity.StartTls),
                (MailProtocol.Pop3, 995, MailSecurity.Implicit), (MailProtocol.Pop3, 110, MailSecurity.StartTls),
                (MailProtocol.Smtp, 465, MailSecurity.Implicit), (MailProtocol.Smtp, 587, MailSecurity.StartTls), (MailProtocol.Smtp, 25, MailSecurity.StartTls),
            })
            {
                add(protocol, host, port, security, source, 100, 0);
            }
        }

        /// <summary>
        /// Probes the candidates, at most <see cref="PortPlanOptions.MaxConnectionsPerHost"/> at once per server, within
        /// what is left of the plan's time: a probe still waiting for its turn when the time is up is left unverified
        /// with a caveat saying so, so a host that stalls on every port cannot stretch the plan.
        /// </summary>
        private async Task ProbeAsync(IReadOnlyList<PortPlanEntry> entries, DnsDiscovery dns, TimeSpan left, CancellationToken cancellationToken)
        {
            // Right after this process changed the system store, the probes wait until .NET sees it; not on the plan's time.
            await Trust.SystemTrustChanges.WaitUntilVisibleAsync(cancellationToken).ConfigureAwait(false);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            // Discovery had one timeout; a probe may take three of its own: two thirds each keeps the plan within 3 x Timeout.
            // The probes resolve through the plan's DNS servers too, never the system's when the user named servers.
            var probeOptions = new ProbeOptions
            {
                Timeout = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, _options.Timeout.Ticks * 2 / 3)),
                DnsServers = _options.DnsServers,
                Policy = _options.Policy,
                MaxConnectionsPerHost = _options.MaxConnectionsPerHost,
                Retries = 0, // a plan has no time to wait out a busy server; the entry says it did not verify
            };
            foreach (var root in _options.TrustedRoots)
            {
                probeOptions.TrustedRoots.Add(root);
            }

            var prober = new EndpointProber(probeOptions);
            using var gate = new SemaphoreSlim(Math.Max(1, _options.ThrottleLimit));
            var addresses = new Dictionary<string, Task<IReadOnlyList<IPAddress>>>(StringComparer.OrdinalIgnoreCase);
            foreach (var host in entries.Select(e => e.HostName).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                // One look-up per host, through the same DNS servers as discovery (one cache).
                addresses[host] = IPAddress.TryParse(host, out var literal) ? Task.FromResult<IReadOnlyList<IPAddress>>(new[] { literal }) : ResolveWithinAsync(dns, host, probeOptions.Timeout, cancellationToken);
            }

            await Task.WhenAll(entries.Select(async entry =>
            {
                var resolved = await addresses[entry.HostName].ConfigureAwait(false);
                try
                {
                    await gate.WaitAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    entry.OutOfTime = true;
                    return;
                }

                try
                {
                    var endpoint = new MailEndpoint(entry.HostName, entry.Port, entry.Protocol, entry.Security, address: resolved.Count > 0 ? resolved[0] : null);
                    var report = await prober.ProbeAsync(endpoint, deadline.Token).ConfigureAwait(false);
                    entry.Report = report;
                    entry.Verdict = report.Verdict;
                    entry.Verified = report.Verdict == MailTls.Verdict.Pass || report.Verdict == MailTls.Verdict.Warn;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    entry.OutOfTime = true;
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);
        }

        /// <summary>A host's addresses within one probe timeout (so the plan keeps its bound); none when DNS is slower.</summary>
        private static async Task<IReadOnlyList<IPAddress>> ResolveWithinAsync(DnsDiscovery dns, string host, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(timeout);
            try
            {
                return await dns.ResolveAsync(host, bounded.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Array.Empty<IPAddress>();
            }
        }

        /// <summary>
        /// Ranks per role and protocol: verdict, then implicit TLS before STARTTLS (RFC 8314), then published for this
        /// protocol (SRV, autoconfig) before found otherwise, then a name made for the protocol (smtp. for SMTP), then SRV
        /// priority and weight. Recommends the best one that verified (never plaintext, never port 25 for submission), and
        /// none for a protocol the domain says it does not offer.
        /// </summary>
        private void Rank(List<PortPlanEntry> entries, Dictionary<(MailProtocol, string, int, MailSecurity), Candidate> candidates, HashSet<MailProtocol> notOffered)
        {
            foreach (var group in entries.GroupBy(e => e.Protocol))
            {
                var ordered = group
                    .OrderBy(e => e.Verdict switch { MailTls.Verdict.Pass => 0, MailTls.Verdict.Warn => 1, null => 2, MailTls.Verdict.Fail => 3, _ => 4 })
                    .ThenBy(e => e.Security == MailSecurity.Implicit ? 0 : e.Security == MailSecurity.StartTls ? 1 : 2)
                    .ThenBy(e => e.Sources.Any(s => s.StartsWith("SRV", StringComparison.Ordinal) || s.StartsWith("autoconfig", StringComparison.Ordinal)) ? 0 : 1)
                    .ThenBy(e => IsNamedFor(e) ? 0 : 1)
                    .ThenBy(e => Find(candidates, e).Priority)
                    .ThenByDescending(e => Find(candidates, e).Weight)
                    .ThenBy(e => e.HostName, StringComparer.Ordinal)
                    .ToArray();
                for (var i = 0; i < ordered.Length; i++)
                {
                    ordered[i].Rank = i + 1;
                }

                var best = notOffered.Contains(group.Key) ? null : ordered.FirstOrDefault(e => e.Verified && e.Security != MailSecurity.None && !(e.Protocol == MailProtocol.Smtp && e.Port == 25));
                if (best != null)
                {
                    best.Recommended = true;
                }

                // Implicit TLS is preferred (RFC 8314): when a STARTTLS endpoint wins, say why the implicit ones lost.
                var failedImplicit = best?.Security == MailSecurity.StartTls
                    ? ordered.Where(e => e.Security == MailSecurity.Implicit && (e.Verdict == MailTls.Verdict.Fail || e.Verdict == MailTls.Verdict.Error)).ToArray()
                    : Array.Empty<PortPlanEntry>();

                foreach (var entry in ordered)
                {
                    var caveats = Caveats(entry).ToList();
                    if (entry == best && failedImplicit.Length > 0)
                    {
                        caveats.Insert(0, "Recommended over implicit TLS, which is preferred, because "
                            + string.Join("; ", failedImplicit.Select(f => $"{f.HostName}:{f.Port} has verdict {f.Verdict} ({string.Join(", ", f.Report?.Findings.Where(x => x.Severity >= FindingSeverity.Failure).Select(x => x.Name) ?? Array.Empty<string>())})")) + ".");
                    }

                    if (notOffered.Contains(group.Key) && entry.Verified)
                    {
                        caveats.Insert(0, $"Answers, but not published: the domain's SRV records say {group.Key} is not offered.");
                    }

                    entry.Caveats = caveats;
                }
            }
        }

        /// <summary>Whether a host's name says the protocol (smtp.example.com for SMTP): among guesses, the name made for it.</summary>
        private static bool IsNamedFor(PortPlanEntry entry)
        {
            var label = entry.HostName.Split('.')[0];
            return entry.Protocol switch
            {
                MailProtocol.Imap => label == "imap",
                MailProtocol.Pop3 => label == "pop" || label == "pop3",
                _ => label == "smtp",
            };
        }

        private static Candidate Find(Dictionary<(MailProtocol, string, int, MailSecurity), Candidate> candidates, PortPlanEntry entry) =>
            candidates[(entry.Protocol, entry.HostName, entry.Port, entry.Security)];

        private static MailRole RoleOf(MailProtocol protocol) => protocol == MailProtocol.Smtp ? MailRole.Outgoing : MailRole.Incoming;

        /// <summary>What the provider pages tell users, where it applies to this entry.</summary>
        private IReadOnlyList<string> Caveats(PortPlanEntry entry)
        {
            var caveats = new List<string>();
            if (entry.OutOfTime)
            {
                caveats.Add($"Not verified: the plan's time ran out while the server's other ports were probed (at most {_options.MaxConnectionsPerHost} at once). Probe it with Test-MailEndpoint, or raise -TimeoutSeconds.");
            }

            if (entry.Protocol == MailProtocol.Pop3)
            {
                caveats.Add("Switching a POP3 account to SSL can make some clients download all mail again: clean the inbox on the server first.");
                caveats.Add("IMAP is preferred over POP3: it keeps mail on the server and in step across devices.");
            }

            if (entry.Role == MailRole.Incoming)
            {
                caveats.Add("Check for new mail no more often than every 5 minutes (10 to 15 is enough).");
            }

            if (entry.Protocol == MailProtocol.Smtp && entry.Port == 25)
            {
                caveats.Add("Port 25 is for server-to-server mail and many ISPs block it outbound: submit on 465 (or 587).");
            }

            if (entry.Protocol == MailProtocol.Smtp && entry.Port == 465)
            {
                caveats.Add("Outlook 2002 (Office XP) needs its service pack to send on port 465.");
            }

            if (entry.Recommended)
            {
                caveats.Add("TLS protects the connection to the server, not the message itself: use PGP or S/MIME for end-to-end protection.");
            }

            return caveats;
        }

        private sealed class Candidate
        {
            public Candidate(MailProtocol protocol, string host, int port, MailSecurity security)
            {
                Protocol = protocol;
                Host = host;
                Port = port;
                Security = security;
            }

            public MailProtocol Protocol { get; }

            public string Host { get; }

            public int Port { get; }

            public MailSecurity Security { get; }

            public List<string> Sources { get; } = new List<string>();

            public int Priority { get; set; } = 100;

            public int Weight { get; set; }

            public PortPlanEntry ToEntry() => new PortPlanEntry(RoleOf(Protocol), Protocol, Host, Port, Security, Sources.Distinct().ToArray());
        }
    }
}
