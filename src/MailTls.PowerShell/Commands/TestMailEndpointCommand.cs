using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Endpoints;
using MailTls.Policy;
using MailTls.Probing;

namespace MailTls.PowerShell.Commands
{
    /// <summary>
    /// Probes SMTP, IMAP and POP3 endpoints (implicit TLS and STARTTLS) and reports TLS version, cipher,
    /// certificate chain and trust, what is offered before and after TLS, findings and a verdict.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "MailEndpoint")]
    [OutputType(typeof(EndpointReport), typeof(bool))]
    public sealed class TestMailEndpointCommand : AsyncCmdlet
    {
        private readonly BlockingCollection<Outcome> _finished = new BlockingCollection<Outcome>();
        private EndpointProber? _prober;
        private Shard? _shard;
        private int? _total;
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private int _inFlight;
        private int _done;
        private int _reported;
        private Verdict _worst = Verdict.Pass;

        /// <summary>Servers to probe: names, addresses, host:port, [v6]:port or mail URIs (imaps://…).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ComputerName", "Host")]
        public string[] HostName { get; set; } = Array.Empty<string>();

        /// <summary>TCP port; with none, the secure ports of the protocol(s) are probed.</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [EmptyAsNull]
        public int? Port { get; set; }

        /// <summary>Mail protocol; inferred from a well-known port or URI when not given.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EmptyAsNull]
        public MailProtocol? Protocol { get; set; }

        /// <summary>Implicit (TLS from the first byte), StartTls, or None (plaintext; never Pass).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EmptyAsNull]
        public MailSecurity? Security { get; set; }

        /// <summary>Name sent as SNI and verified in the certificate (default: the host name).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EmptyAsNull]
        public string? ServerName { get; set; }

        /// <summary>Bounds each phase (connect, greeting or reply, handshake); a probe ends within 3 × this + 2 s.</summary>
        [Parameter]
        [ValidateRange(1, 600)]
        public int TimeoutSeconds { get; set; } = 10;

        /// <summary>Roots to trust besides the system's: X509Certificate2 objects or certificate file paths.</summary>
        [Parameter]
        public object[]? TrustedRootCertificate { get; set; }

        /// <summary>Also find which of TLS 1.0, 1.1, 1.2 and 1.3 the server accepts.</summary>
        [Parameter]
        public SwitchParameter IncludeTlsVersions { get; set; }

        /// <summary>Keep the protocol transcript in the report (nothing secret is ever sent).</summary>
        [Parameter]
        public SwitchParameter IncludeTranscript { get; set; }

        /// <summary>How many probes run at once across the pipeline input.</summary>
        [Parameter]
        [ValidateRange(1, 1024)]
        public int ThrottleLimit { get; set; } = 32;

        /// <summary>Output only $true (verdict Pass or Warn) or $false per endpoint.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        /// <summary>One report per address the name resolves to (IPv4 and IPv6).</summary>
        [Parameter]
        public SwitchParameter AllAddresses { get; set; }

        /// <summary>DNS servers (address or address:port) to resolve host names with; default: the system's resolver.</summary>
        [Parameter]
        public string[]? DnsServer { get; set; }

        /// <summary>The policy that turns findings into a verdict: Baseline (default), Strict, a .psd1 or .json policy file, or a hashtable.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(PolicyCompleter))]
        public object? Policy { get; set; }

        /// <summary>At most this many connections to one server address at once, whatever the throttle; 0: no limit.</summary>
        [Parameter]
        [ValidateRange(0, 64)]
        public int MaxConnectionsPerHost { get; set; } = 2;

        /// <summary>How often an endpoint that failed transiently (421 busy, reset, closed early) is probed again, with growing pauses, within its time.</summary>
        [Parameter]
        [ValidateRange(0, 10)]
        public int MaximumRetryCount { get; set; } = 2;

        /// <summary>Probe only this share of the input ("i/n"): run the same list on n machines with 1/n … n/n, and merge their JSON lines.</summary>
        [Parameter]
        public string? Shard { get; set; }

        /// <summary>After every report is written, end with a terminating error (VerdictThresholdReached) if any verdict is at or above this one.</summary>
        [Parameter]
        [ValidateSet("Warn", "Fail")]
        public string? FailOn { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            var options = new ProbeOptions
            {
                Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
                IncludeTlsVersions = IncludeTlsVersions,
                IncludeTranscript = IncludeTranscript,
                Policy = PolicyInput.Resolve(this, Policy),
                MaxConnectionsPerHost = MaxConnectionsPerHost,
                Retries = MaximumRetryCount,
            };
            foreach (var root in CmdletInput.TrustedRoots(this, TrustedRootCertificate))
            {
                options.TrustedRoots.Add(root);
            }

            PolicyInput.RequireRoots(this, options.Policy, options.TrustedRoots.Count);
            if (Shard != null)
            {
                if (!Endpoints.Shard.TryParse(Shard, out _shard))
                {
                    ThrowTerminatingError(CmdletInput.Record(new ArgumentException(Shard), "ShardInvalid", ErrorCategory.InvalidArgument, Shard,
                        $"'{Shard}' is not a share: give i/n with 1 <= i <= n, such as 2/4 for the second of four machines."));
                }
            }

            options.DnsServers = CmdletInput.DnsServers(this, DnsServer);
            _prober = new EndpointProber(options);
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var endpoints = new List<MailEndpoint>();
            foreach (var host in HostName)
            {
                if (_shard != null && !_shard.Includes(host, Port, Protocol, Security, ServerName))
                {
                    WriteVerbose($"{host}: not in share {_shard}.");
                    continue;
                }

                try
                {
                    endpoints.AddRange(EndpointParser.Parse(host, Port, Protocol, Security, ServerName));
                }
                catch (EndpointInputException ex)
                {
                    WriteError(new ErrorRecord(new ArgumentException(ex.Message, ex), ex.ErrorId, ErrorCategory.InvalidArgument, ex.Input));
                }
            }

            // With the hosts given as an argument the whole run is known, so progress can show a share and a time left.
            _total = MyInvocation.ExpectingInput ? (int?)null : endpoints.Count;
            foreach (var endpoint in endpoints)
            {
                while (_inFlight >= ThrottleLimit)
                {
                    WriteFinished(wait: true);
                }

                Start(endpoint);
            }

            WriteFinished(wait: false);
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            while (_inFlight > 0)
            {
                WriteFinished(wait: true);
            }

            WriteProgress(new ProgressRecord(0, "Test-MailEndpoint", "Done") { RecordType = ProgressRecordType.Completed });
            VerdictThreshold.ThrowIfReached(FailOn, _worst, _reported);
        }

        private void Start(MailEndpoint endpoint)
        {
            _inFlight++;
            var prober = _prober!;
            var token = Cancellation;
            var expand = AllAddresses.IsPresent;
            _ = Task.Run(async () =>
            {
                try
                {
                    var reports = expand
                        ? await prober.ProbeAllAddressesAsync(endpoint, token).ConfigureAwait(false)
                        : new[] { await prober.ProbeAsync(endpoint, token).ConfigureAwait(false) };
                    _finished.Add(new Outcome(endpoint, reports, null));
                }
                catch (OperationCanceledException)
                {
                    _finished.Add(new Outcome(endpoint, Array.Empty<EndpointReport>(), null));
                }
                catch (Exception ex)
                {
                    // A probe never throws for what an endpoint does; this is a defect, reported, not swallowed.
                    _finished.Add(new Outcome(endpoint, Array.Empty<EndpointReport>(), ex));
                }
            });
        }

        /// <summary>Writes finished probes on the pipeline thread; with <paramref name="wait"/>, blocks for at least one.</summary>
        private void WriteFinished(bool wait)
        {
            while (true)
            {
                Outcome outcome;
                if (wait)
                {
                    try
                    {
                        outcome = _finished.Take(Cancellation);
                    }
                    catch (OperationCanceledException)
                    {
                        throw new PipelineStoppedException();
                    }

                    wait = false;
                }
                else if (!_finished.TryTake(out outcome))
                {
                    return;
                }

                _inFlight--;
                _done++;
                if (outcome.Error != null)
                {
                    WriteError(new ErrorRecord(outcome.Error, "ProbeFailed", ErrorCategory.NotSpecified, outcome.Endpoint.Target));
                }

                foreach (var report in outcome.Reports)
                {
                    _reported++;
                    _worst = report.Verdict > _worst ? report.Verdict : _worst;
                    if (Quiet)
                    {
                        WriteObject(report.Verdict == Verdict.Pass || report.Verdict == Verdict.Warn);
                    }
                    else
                    {
                        WriteObject(report);
                    }
                }

                WriteProgress(Progress(outcome.Endpoint));
            }
        }

        /// <summary>Done of total with a share and the time left when the total is known; otherwise done, in flight and the rate.</summary>
        private ProgressRecord Progress(MailEndpoint last)
        {
            var perSecond = _done / Math.Max(0.001, _clock.Elapsed.TotalSeconds);
            var record = new ProgressRecord(0, "Test-MailEndpoint", _total is int total
                ? $"{_done} of {total} probed, {_inFlight} in flight"
                : $"{_done} probed, {_inFlight} in flight, {perSecond.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} per second")
            {
                CurrentOperation = last.ToString(),
            };
            if (_total is int all && all > 0)
            {
                record.PercentComplete = Math.Min(100, _done * 100 / all);
                record.SecondsRemaining = (int)Math.Ceiling(Math.Max(0, all - _done) / Math.Max(perSecond, 0.001));
            }

            return record;
        }

        private readonly struct Outcome
        {
            public Outcome(MailEndpoint endpoint, IReadOnlyList<EndpointReport> reports, Exception? error)
            {
                Endpoint = endpoint;
                Reports = reports;
                Error = error;
            }

            public MailEndpoint Endpoint { get; }

            public IReadOnlyList<EndpointReport> Reports { get; }

            public Exception? Error { get; }
        }
    }
}
