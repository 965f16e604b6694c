using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Policy;

namespace MailTls.Probing
{
    /// <summary>Probes mail endpoints: the one entry point every cmdlet that needs a probe uses.</summary>
    public sealed class EndpointProber
    {
        private readonly ProbeOptions _options;

        /// <summary>Creates a prober.</summary>
        /// <param name="options">How probes run.</param>
        /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
        public EndpointProber(ProbeOptions options)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            // One resolver (and one cache) for every probe of this prober, when DNS servers are given.
            _dns = options.DnsServers.Count > 0 ? new PortPlan.DnsDiscovery(options.DnsServers, options.Timeout) : null;
            _limiter = new HostConnectionLimiter(options.MaxConnectionsPerHost);
        }

        private static readonly FindingDefinition[] Transient = { FindingCatalog.ServiceNotReady, FindingCatalog.ServerClosed, FindingCatalog.ConnectionFailed };
        private readonly PortPlan.DnsDiscovery? _dns;
        private readonly HostConnectionLimiter _limiter;
        private readonly Random _jitter = new Random();

        // One of each per process, not per prober: both act on the whole process (its native heap, its allocations),
        // and a runbook that calls Test-MailEndpoint once per endpoint makes a prober each time, which would otherwise
        // collect and trim before every probe.
        private static readonly NativeHeapTrimmer Trimmer = new NativeHeapTrimmer();
        private static readonly YoungGenerationPacer Pacer = new YoungGenerationPacer();

        /// <summary>
        /// Probes one endpoint. Never throws for anything the endpoint does (refusal, timeout, garbage, a bad
        /// certificate): that is a report with findings. Ends within 3 × <see cref="ProbeOptions.Timeout"/> (+ a little)
        /// once the server has a free connection for it (<see cref="ProbeOptions.MaxConnectionsPerHost"/>), and, within
        /// 5.5 s of this process changing the Linux system store, once .NET can see that change (Trust.SystemTrustChanges).
        /// </summary>
        /// <param name="endpoint">The endpoint.</param>
        /// <param name="cancellationToken">Stops the probe (Ctrl+C).</param>
        /// <returns>The report.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is null.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public Task<EndpointReport> ProbeAsync(MailEndpoint endpoint, CancellationToken cancellationToken = default)
        {
            if (endpoint is null)
            {
                throw new ArgumentNullException(nameof(endpoint));
            }

            return ProbeWithRetriesAsync(endpoint, TimeSpan.Zero, cancellationToken);
        }

        /// <summary>
        /// A probe, tried again after a transient failure (the server busy with 421, a reset, a close before the
        /// greeting) with growing pauses, only while a whole phase of the probe's time is left: the bound of
        /// 3 × Timeout holds for all attempts together.
        /// </summary>
        private async Task<EndpointReport> ProbeWithRetriesAsync(MailEndpoint endpoint, TimeSpan alreadySpent, CancellationToken cancellationToken)
        {
            // What counts against the bound is the probes' own time and the pauses, not the waits for the server's
            // turn (a report's Duration leaves those out): a server that is busy is exactly one worth trying again.
            // Right after this process changed the system store, wait until .NET sees the change (before the probe's own time).
            await Trust.SystemTrustChanges.WaitUntilVisibleAsync(cancellationToken).ConfigureAwait(false);
            Pacer.TryCollect();
            Trimmer.TryTrim();
            var spent = alreadySpent;
            var budget = TimeSpan.FromTicks(_options.Timeout.Ticks * 3);
            for (var attempt = 1; ; attempt++)
            {
                var report = await new ProbeSession(endpoint, _options, cancellationToken, spent, _dns, _limiter).RunAsync().ConfigureAwait(false);
                report.Attempts = attempt;
                spent += report.Duration;
                var pause = Pause(attempt);
                var isTransient = report.Verdict == Verdict.Error && report.Findings.Any(f => Transient.Any(t => t.Id == f.Id));
                if (!isTransient || attempt > _options.Retries || spent + pause + _options.Timeout > budget)
                {
                    return report;
                }

                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                spent += pause;
            }
        }

        /// <summary>250 ms, 500 ms, 1 s…, each shortened by up to half at random, so probes turned away together do not come back together.</summary>
        private TimeSpan Pause(int attempt)
        {
            double share;
            lock (_jitter)
            {
                share = 0.5 + (_jitter.NextDouble() / 2);
            }

            return TimeSpan.FromMilliseconds((250 << Math.Min(attempt - 1, 6)) * share);
        }

        /// <summary>
        /// Probes every address the host name resolves to (IPv4 and IPv6), one report each, within the same bound as
        /// one probe: the lookup's time is taken from each probe's budget.
        /// </summary>
        /// <param name="endpoint">The endpoint.</param>
        /// <param name="cancellationToken">Stops the lookup and the probes.</param>
        /// <returns>One report per address (one report when the name does not resolve).</returns>
        /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is null.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public async Task<IReadOnlyList<EndpointReport>> ProbeAllAddressesAsync(MailEndpoint endpoint, CancellationToken cancellationToken = default)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var targets = await ExpandAddressesAsync(endpoint, cancellationToken).ConfigureAwait(false);
            var spent = clock.Elapsed;
            return await Task.WhenAll(targets.Select(t => ProbeWithRetriesAsync(t, spent, cancellationToken))).ConfigureAwait(false);
        }

        /// <summary>
        /// One endpoint per address the host name resolves to (IPv4 and IPv6), so a bad member of a round-robin
        /// pool is not hidden. A name that does not resolve comes back as itself: its probe reports why.
        /// </summary>
        /// <param name="endpoint">The endpoint.</param>
        /// <param name="cancellationToken">Stops the lookup.</param>
        /// <returns>The endpoints, each pinned to one address.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is null.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public async Task<IReadOnlyList<MailEndpoint>> ExpandAddressesAsync(MailEndpoint endpoint, CancellationToken cancellationToken = default)
        {
            if (endpoint is null)
            {
                throw new ArgumentNullException(nameof(endpoint));
            }

            if (endpoint.Address != null || System.Net.IPAddress.TryParse(endpoint.HostName, out _))
            {
                return new[] { endpoint };
            }

            try
            {
                var addresses = await Resolver.ResolveAsync(endpoint.HostName, _options.Timeout, cancellationToken, _dns).ConfigureAwait(false);
                return addresses.Distinct().Select(endpoint.WithAddress).ToArray();
            }
            catch (SocketException)
            {
                return new[] { endpoint };
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new[] { endpoint };
            }
        }
    }
}
