using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using MailTls.Endpoints;
using MailTls.PortPlan;

namespace MailTls.PowerShell.Commands
{
    /// <summary>
    /// Works out which server, port and security mode each protocol should use for a mail domain: discovered (DNS
    /// SRV, autoconfig, MX, conventional names), verified by probing, ranked, with the provider pages' caveats.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "MailPortPlan", DefaultParameterSetName = ByAddressSet)]
    [OutputType(typeof(PortPlanEntry))]
    public sealed class GetMailPortPlanCommand : AsyncCmdlet
    {
        private const string ByAddressSet = "ByAddress";
        private const string ByDomainSet = "ByDomain";
        private const string ByHostSet = "ByHost";
        private PortPlanOptions? _options;

        /// <summary>The user's address (alice@example.com); a value without "@" is taken as a domain.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByAddressSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Mail", "Address")]
        public string EmailAddress { get; set; } = string.Empty;

        /// <summary>The mail domain (example.com).</summary>
        [Parameter(Mandatory = true, ParameterSetName = ByDomainSet, ValueFromPipelineByPropertyName = true)]
        public string Domain { get; set; } = string.Empty;

        /// <summary>A known server: no discovery, its ports are planned.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ByHostSet, ValueFromPipelineByPropertyName = true)]
        public string HostName { get; set; } = string.Empty;

        /// <summary>The protocols to plan (default: IMAP, POP3 and SMTP).</summary>
        [Parameter]
        public MailProtocol[]? Protocol { get; set; }

        /// <summary>DNS servers (address or address:port) for every look-up; default: the system's resolvers, never public ones.</summary>
        [Parameter]
        public string[]? DnsServer { get; set; }

        /// <summary>Discover only: probe nothing, recommend nothing.</summary>
        [Parameter]
        public SwitchParameter NoProbe { get; set; }

        /// <summary>More autoconfig files to read (an ISP's or a company's config-v1.1.xml), besides the domain's own addresses.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? AutoconfigUri { get; set; }

        /// <summary>No network at all: the well-known table, one recommended entry per protocol.</summary>
        [Parameter]
        public SwitchParameter Offline { get; set; }

        /// <summary>Bounds each DNS query, autoconfig request and probe phase.</summary>
        [Parameter]
        [ValidateRange(1, 600)]
        public int TimeoutSeconds { get; set; } = 10;

        /// <summary>How many probes run at once.</summary>
        [Parameter]
        [ValidateRange(1, 1024)]
        public int ThrottleLimit { get; set; } = 16;

        /// <summary>Roots to trust besides the system's (probes and autoconfig over HTTPS): X509Certificate2 objects or file paths.</summary>
        [Parameter]
        public object[]? TrustedRootCertificate { get; set; }

        /// <summary>At most this many probes of the plan connect to one server address at once; 0: no limit.</summary>
        [Parameter]
        [ValidateRange(0, 64)]
        public int MaxConnectionsPerHost { get; set; } = 2;

        /// <summary>The policy the probes are judged by (and so the ranking): Baseline (default), Strict, a .psd1 or .json policy file, or a hashtable.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(PolicyCompleter))]
        public object? Policy { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            var options = new PortPlanOptions
            {
                Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
                NoProbe = NoProbe,
                ThrottleLimit = ThrottleLimit,
                Protocols = Protocol ?? Array.Empty<MailProtocol>(),
                Policy = PolicyInput.Resolve(this, Policy),
                MaxConnectionsPerHost = MaxConnectionsPerHost,
            };
            foreach (var root in CmdletInput.TrustedRoots(this, TrustedRootCertificate))
            {
                options.TrustedRoots.Add(root);
            }

            PolicyInput.RequireRoots(this, options.Policy, options.TrustedRoots.Count);

            options.DnsServers = CmdletInput.DnsServers(this, DnsServer);
            var uris = new List<Uri>();
            foreach (var text in AutoconfigUri ?? Array.Empty<string>())
            {
                if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                {
                    ThrowTerminatingError(CmdletInput.Record(new ArgumentException(text), "AutoconfigUriInvalid", ErrorCategory.InvalidArgument, text,
                        $"'{text}' is not an autoconfig address. Give the file's full https:// (or http://) URL, such as https://autoconfig.example.com/mail/config-v1.1.xml."));
                }

                uris.Add(uri!);
            }

            options.AutoconfigUris = uris;
            if (uris.Count > 0 && (Offline || ParameterSetName == ByHostSet))
            {
                WriteWarning(Offline ? "-AutoconfigUri is not read with -Offline (no network at all)." : "-AutoconfigUri is not read with -HostName, which skips discovery.");
            }

            _options = options;
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            string domain;
            string? address = null;
            string? host = null;
            var input = (ParameterSetName switch { ByDomainSet => Domain, ByHostSet => HostName, _ => EmailAddress }).Trim();
            if (ParameterSetName == ByHostSet)
            {
                // A known server by name or by address (IPv4 or IPv6): its ports are planned and probed, nothing is discovered.
                if (!EndpointParser.IsHostName(input) && !System.Net.IPAddress.TryParse(input, out _))
                {
                    WriteInvalid(input, "HostNameInvalid", $"'{input}' is not a host name or address. Give the server's name, such as mail.example.com, or its address.");
                    return;
                }

                host = input;
                domain = input;
            }
            else if (input.Contains("@"))
            {
                var at = input.LastIndexOf('@');
                domain = input.Substring(at + 1);
                if (at == 0 || input.IndexOf('@') != at || !EndpointParser.IsHostName(domain) || !domain.Contains("."))
                {
                    WriteInvalid(input, "EmailAddressInvalid", $"'{input}' is not an email address. Give one such as alice@example.com, or the domain alone with -Domain.");
                    return;
                }

                address = input;
            }
            else
            {
                domain = input;
                if (!EndpointParser.IsHostName(domain) || !domain.Contains("."))
                {
                    WriteInvalid(input, "DomainInvalid", $"'{input}' is not a mail domain. Give one such as example.com, or an address such as alice@example.com.");
                    return;
                }
            }

            var planner = new PortPlanner(_options!);
            if (Offline)
            {
                WriteObject(planner.Offline(host ?? domain), enumerateCollection: true);
                return;
            }

            var (entries, notes) = Wait(planner.PlanAsync(domain, address, host, Cancellation));
            foreach (var note in notes)
            {
                WriteVerbose(note);
            }

            if (!NoProbe && !entries.Any(e => e.Recommended))
            {
                WriteWarning($"No endpoint of '{domain}' verified with TLS: nothing is recommended. Look at the entries' Report for why.");
            }

            WriteObject(entries, enumerateCollection: true);
        }

        private void WriteInvalid(string input, string errorId, string message) =>
            WriteError(CmdletInput.Record(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, input, message));

    }
}
