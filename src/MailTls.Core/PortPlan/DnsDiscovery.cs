using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using DnsClient;
using DnsClient.Protocol;

namespace MailTls.PortPlan
{
    /// <summary>What a DNS look-up of a domain's mail services found, and what could not be asked.</summary>
    public sealed class DnsFindings
    {
        internal DnsFindings(IReadOnlyList<ServiceRecord> services, IReadOnlyList<(string Host, int Preference)> mailExchangers, IReadOnlyList<string> notes)
        {
            Services = services;
            MailExchangers = mailExchangers;
            Notes = notes;
        }

        /// <summary>The SRV records found (including "not offered" ones), best first per service.</summary>
        public IReadOnlyList<ServiceRecord> Services { get; }

        /// <summary>The domain's MX hosts, by preference.</summary>
        public IReadOnlyList<(string Host, int Preference)> MailExchangers { get; }

        /// <summary>Look-ups that failed (timeout, SERVFAIL, no resolver), in plain words.</summary>
        public IReadOnlyList<string> Notes { get; }
    }

    /// <summary>
    /// DNS discovery of a domain's mail services (RFC 6186 and RFC 8314 SRV names, MX) with DnsClient. It asks the
    /// given servers, or the system's own resolvers, and never falls back to public resolvers: with none, it says so.
    /// </summary>
    public sealed class DnsDiscovery
    {
        private static readonly (string Name, MailProtocol Protocol, MailSecurity Security)[] ServiceNames =
        {
            ("_submissions._tcp", MailProtocol.Smtp, MailSecurity.Implicit),
            ("_submission._tcp", MailProtocol.Smtp, MailSecurity.StartTls),
            ("_imaps._tcp", MailProtocol.Imap, MailSecurity.Implicit),
            ("_imap._tcp", MailProtocol.Imap, MailSecurity.StartTls),
            ("_pop3s._tcp", MailProtocol.Pop3, MailSecurity.Implicit),
            ("_pop3._tcp", MailProtocol.Pop3, MailSecurity.StartTls),
        };

        private readonly LookupClient? _client;
        private readonly string? _noResolver;

        /// <summary>Asks <paramref name="servers"/>, or with none given the system's resolvers.</summary>
        /// <param name="servers">DNS servers (address and port); null or empty: the system's.</param>
        /// <param name="timeout">Bounds each query.</param>
        public DnsDiscovery(IReadOnlyList<IPEndPoint>? servers, TimeSpan timeout)
        {
            var nameServers = servers != null && servers.Count > 0
                ? servers.Select(s => new NameServer(s)).ToArray()
                // The library's own default falls back to public resolvers when it finds no local one: not here.
                : NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false).ToArray();
            if (nameServers.Length == 0)
            {
                _noResolver = "This machine has no DNS resolver configured, so no DNS source was asked. Give one with -DnsServer.";
                return;
            }

            _client = new LookupClient(new LookupClientOptions(nameServers)
            {
                Timeout = timeout,
                Retries = 1,
                UseCache = true,
                ThrowDnsErrors = false,
                ContinueOnDnsError = false,
                UseTcpFallback = true,
            });
        }

        /// <summary>Looks up the six mail service names and the MX records of <paramref name="domain"/>.</summary>
        /// <param name="domain">The domain.</param>
        /// <param name="cancellationToken">Stops the look-ups.</param>
        /// <returns>What was found, with a note per look-up that failed.</returns>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public async Task<DnsFindings> DiscoverAsync(string domain, CancellationToken cancellationToken)
        {
            if (_client == null)
            {
                return new DnsFindings(Array.Empty<ServiceRecord>(), Array.Empty<(string, int)>(), new[] { _noResolver! });
            }

            var notes = new List<string>();
            var lookups = ServiceNames.Select(async service =>
            {
                var name = service.Name + "." + domain;
                var answer = await QueryAsync(name, QueryType.SRV, notes, cancellationToken).ConfigureAwait(false);
                return answer.OfType<SrvRecord>().Select(r =>
                {
                    var target = Trim(r.Target.Value);
                    return new ServiceRecord(service.Name, service.Protocol, service.Security, target.Length == 0 ? null : target, r.Port, r.Priority, r.Weight);
                }).ToArray();
            }).ToArray();
            var mx = QueryAsync(domain, QueryType.MX, notes, cancellationToken);
            var services = (await Task.WhenAll(lookups).ConfigureAwait(false))
                .SelectMany(r => r)
                .OrderBy(r => Array.FindIndex(ServiceNames, s => s.Name == r.Service))
                .ThenBy(r => r.Priority)
                .ThenByDescending(r => r.Weight)
                .ToArray();
            var exchangers = (await mx.ConfigureAwait(false)).OfType<MxRecord>()
                .OrderBy(r => r.Preference)
                .Select(r => (Trim(r.Exchange.Value), (int)r.Preference))
                .Where(r => r.Item1.Length > 0)
                .ToArray();
            return new DnsFindings(services, exchangers, notes.ToArray());
        }

        /// <summary>The addresses of <paramref name="hostName"/> (A and AAAA) from the same servers and cache.</summary>
        /// <returns>The addresses; none when the name does not resolve or no resolver is configured.</returns>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string hostName, CancellationToken cancellationToken)
        {
            if (_client == null)
            {
                return Array.Empty<IPAddress>();
            }

            var notes = new List<string>();
            var v4 = QueryAsync(hostName, QueryType.A, notes, cancellationToken);
            var v6 = QueryAsync(hostName, QueryType.AAAA, notes, cancellationToken);
            return (await v4.ConfigureAwait(false)).OfType<ARecord>().Select(r => r.Address)
                .Concat((await v6.ConfigureAwait(false)).OfType<AaaaRecord>().Select(r => r.Address))
                .ToArray();
        }

        private async Task<IReadOnlyList<DnsResourceRecord>> QueryAsync(string name, QueryType type, List<string> notes, CancellationToken cancellationToken)
        {
            try
            {
                var response = await _client!.QueryAsync(name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
                if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
                {
                    lock (notes)
                    {
                        notes.Add($"{type} {name}: {response.ErrorMessage}.");
                    }
                }

                return response.Answers;
            }
            catch (DnsResponseException ex)
            {
                lock (notes)
                {
                    notes.Add($"{type} {name}: {ex.Message} (the DNS server did not answer in time, or refused).");
                }

                return Array.Empty<DnsResourceRecord>();
            }
        }

        private static string Trim(string name) => name.TrimEnd('.');
    }
}
