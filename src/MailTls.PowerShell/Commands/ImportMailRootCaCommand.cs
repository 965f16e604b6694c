using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using MailTls.Endpoints;
using MailTls.Probing;
using MailTls.Trust;

namespace MailTls.PowerShell.Commands
{
    /// <summary>
    /// Puts a mail server's root CA into the trust store(s) that need it, and removes the temporary "accept this
    /// certificate" exemptions once it is trusted.
    /// </summary>
    [Cmdlet(VerbsData.Import, "MailRootCa", DefaultParameterSetName = ByPathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(MailRootCaChange), typeof(EndpointReport))]
    public sealed class ImportMailRootCaCommand : TrustCmdlet
    {
        private const string ByPathSet = "ByPath";
        private const string ByCertificateSet = "ByCertificate";
        private const string FromEndpointSet = "FromEndpoint";
        private IReadOnlyList<ITrustStore> _stores = Array.Empty<ITrustStore>();

        /// <summary>Certificate files: PEM (one or many), DER (.cer/.crt) or PKCS#7.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByPathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "PSPath")]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Certificates as objects.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByCertificateSet, ValueFromPipeline = true)]
        public X509Certificate2[] Certificate { get; set; } = Array.Empty<X509Certificate2>();

        /// <summary>A mail server (host:port or URI) whose root, or self-signed certificate, is fetched by a probe.</summary>
        [Parameter(Mandatory = true, ParameterSetName = FromEndpointSet)]
        public string FromEndpoint { get; set; } = string.Empty;

        /// <summary>For -FromEndpoint and -Verify: the protocol, when the port does not tell it.</summary>
        [Parameter]
        public MailProtocol? Protocol { get; set; }

        /// <summary>For -FromEndpoint and -Verify: Implicit or StartTls, when the port or URI does not tell it.</summary>
        [Parameter]
        public MailSecurity? Security { get; set; }

        /// <summary>For -FromEndpoint and -Verify: bounds each phase of the probe.</summary>
        [Parameter]
        [ValidateRange(1, 600)]
        public int TimeoutSeconds { get; set; } = 10;

        /// <summary>The SHA-256 (or SHA-1) fingerprint the certificate must have; hex, any case, any separators.</summary>
        [Parameter]
        public string? Thumbprint { get; set; }

        /// <summary>Where to import: System (default), User, Nss (with -ProfilePath) or Thunderbird.</summary>
        [Parameter]
        public TrustStoreName[]? Store { get; set; }

        /// <summary>Also accept a self-signed server certificate that is not a CA.</summary>
        [Parameter]
        public SwitchParameter AllowSelfSignedLeaf { get; set; }

        /// <summary>After the import, delete the exemptions (cert_override.txt) for the endpoint or the -ExemptionHost hosts.</summary>
        [Parameter]
        public SwitchParameter RemoveExemption { get; set; }

        /// <summary>host:port values whose exemptions -RemoveExemption deletes (default: the -FromEndpoint endpoint).</summary>
        [Parameter]
        public string[]? ExemptionHost { get; set; }

        /// <summary>Emit one record per store (and exemption file) saying what was done.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>After the import, probe these endpoints (host:port or URI) and emit their reports, judged by this machine's trust.</summary>
        [Parameter]
        public string[]? Verify { get; set; }

        private bool _importedAny;

        // The NSS profiles that now trust what was imported: only their exemptions may go.
        private readonly HashSet<string> _trustedProfiles = new HashSet<string>(StringComparer.Ordinal);

        /// <inheritdoc />
        protected override void BeginProcessing() => _stores = OpenStores(Store ?? TrustStores.Defaults);

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case ByPathSet:
                    foreach (var path in Path)
                    {
                        var loaded = CmdletInput.Load(this, path, "CertificateFile", out var error);
                        if (error != null)
                        {
                            WriteError(error);
                            continue;
                        }

                        ImportAll(loaded!, path, exemptionHosts: ExemptionHost);
                    }

                    break;
                case ByCertificateSet:
                    ImportAll(Certificate, null, exemptionHosts: ExemptionHost);
                    break;
                default:
                    ImportFromEndpoint();
                    break;
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (Verify == null || !_importedAny)
            {
                return;
            }

            // Right after a change to the Linux system store the probe first waits until .NET rereads it (SystemTrustChanges).
            // A fresh probe with no extra roots: it trusts what this machine's TLS library trusts (the system store).
            var prober = new EndpointProber(new ProbeOptions { Timeout = TimeSpan.FromSeconds(TimeoutSeconds) });
            foreach (var target in Verify)
            {
                try
                {
                    foreach (var endpoint in EndpointParser.Parse(target, null, Protocol, Security))
                    {
                        WriteObject(Wait(prober.ProbeAsync(endpoint, Cancellation)));
                    }
                }
                catch (EndpointInputException ex)
                {
                    WriteError(CmdletInput.Record(ex, ex.ErrorId, ErrorCategory.InvalidArgument, ex.Input, ex.Message));
                }
            }
        }

        private void ImportFromEndpoint()
        {
            MailEndpoint endpoint;
            try
            {
                var endpoints = EndpointParser.Parse(FromEndpoint, null, Protocol, Security);
                if (endpoints.Count != 1)
                {
                    // A bare name means several ports; the certificate must come from the one the user means.
                    WriteError(CmdletInput.Record(new ArgumentException(FromEndpoint), "EndpointPortRequired", ErrorCategory.InvalidArgument, FromEndpoint,
                        $"'{FromEndpoint}' names no port. Give host:port or a URI such as imaps://{FromEndpoint}."));
                    return;
                }

                endpoint = endpoints[0];
            }
            catch (EndpointInputException ex)
            {
                WriteError(CmdletInput.Record(ex, ex.ErrorId, ErrorCategory.InvalidArgument, ex.Input, ex.Message));
                return;
            }

            var report = Wait(new EndpointProber(new ProbeOptions { Timeout = TimeSpan.FromSeconds(TimeoutSeconds) }).ProbeAsync(endpoint, Cancellation));
            if (report.Chain.Count == 0)
            {
                var why = report.Findings.FirstOrDefault()?.Message ?? "no TLS handshake completed";
                WriteError(CmdletInput.Record(new IOException(why), "EndpointUnreachable", ErrorCategory.ConnectionError, FromEndpoint,
                    $"No certificate could be fetched from '{FromEndpoint}': {why}"));
                return;
            }

            var candidate = RootCaCandidate.FromServerChain(report.Chain, AllowSelfSignedLeaf);
            if (candidate == null)
            {
                WriteError(CmdletInput.Record(new InvalidDataException("root not sent"), "RootNotSent", ErrorCategory.ObjectNotFound, FromEndpoint,
                    $"'{FromEndpoint}' did not send its root certificate (it sent: {string.Join("; ", report.Chain.Select(c => c.Subject))}). " +
                    "Get the root CA file from your provider and use -Path" + (report.Chain.Count == 1 ? ", or add -AllowSelfSignedLeaf for a self-signed server." : ".")));
                return;
            }

            // Never trust what the network sent on its own: a pin, or a person who saw the fingerprint.
            if (Thumbprint == null && !PersonConfirms(candidate))
            {
                return;
            }

            ImportAll(new[] { candidate }, FromEndpoint, ExemptionHost ?? new[] { endpoint.Target });
        }

        /// <summary>
        /// Asks a person, with "No" as the default answer: an empty line, a closed or redirected input and a session
        /// that cannot prompt at all never count as yes (ShouldContinue would default to yes).
        /// </summary>
        private bool PersonConfirms(X509Certificate2 candidate)
        {
            var refuse = $"This session cannot ask a person to confirm the certificate '{FromEndpoint}' sent, so it was not imported. " +
                $"Check its fingerprint out of band and pass it: -Thumbprint {RootCaCandidate.DisplayFingerprint(candidate)}";
            if (Console.IsInputRedirected || Host?.UI == null)
            {
                WriteError(CmdletInput.Record(new InvalidOperationException("no interactive input"), "ThumbprintRequired", ErrorCategory.SecurityError, FromEndpoint, refuse));
                return false;
            }

            try
            {
                var choices = new System.Collections.ObjectModel.Collection<System.Management.Automation.Host.ChoiceDescription>
                {
                    new System.Management.Automation.Host.ChoiceDescription("&Yes", "Trust this certificate as a root for mail servers."),
                    new System.Management.Automation.Host.ChoiceDescription("&No", "Do not import it."),
                };
                return Host.UI.PromptForChoice($"Certificate sent by {FromEndpoint}", RootCaCandidate.Describe(candidate) + "\nTrust this certificate as a root for mail servers?", choices, 1) == 0;
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                WriteError(CmdletInput.Record(ex, "ThumbprintRequired", ErrorCategory.SecurityError, FromEndpoint, refuse));
                return false;
            }
        }

        private void ImportAll(IEnumerable<X509Certificate2> certificates, string? source, IReadOnlyList<string>? exemptionHosts)
        {
            var imported = false;
            foreach (var certificate in certificates)
            {
                var target = (object?)source ?? certificate.Subject;
                if (Thumbprint != null && !RootCaCandidate.Matches(certificate, Thumbprint))
                {
                    WriteError(CmdletInput.Record(new InvalidDataException("fingerprint mismatch"), "ThumbprintMismatch", ErrorCategory.SecurityError, target,
                        $"'{certificate.Subject}' has SHA-256 {RootCaCandidate.DisplayFingerprint(certificate)}, not the -Thumbprint given; nothing was imported."));
                    continue;
                }

                var problem = RootCaCandidate.Check(certificate, AllowSelfSignedLeaf, out var warnings);
                if (problem != null)
                {
                    WriteError(CmdletInput.Record(new InvalidDataException(problem.Message), problem.ErrorId, ErrorCategory.SecurityError, target, problem.Message));
                    continue;
                }

                foreach (var warning in warnings)
                {
                    WriteWarning(warning);
                }

                imported |= AddToStores(certificate);
            }

            _importedAny |= imported;
            if (imported && RemoveExemption)
            {
                if (exemptionHosts == null)
                {
                    WriteWarning("-RemoveExemption needs the hosts whose exemptions to delete: add -ExemptionHost host:port (with -FromEndpoint it is that endpoint).");
                }
                else
                {
                    RemoveExemptions(exemptionHosts);
                }
            }
        }

        private bool AddToStores(X509Certificate2 certificate)
        {
            var fingerprint = RootCaCandidate.Sha256(certificate);
            var any = false;
            foreach (var store in _stores)
            {
                if (store is NssTrustStore && TrustStores.IsProfileInUse(store.Location))
                {
                    WriteProfileLocked(store.Location);
                    continue;
                }

                if (!ShouldProcess($"{store.Name} store '{store.Location}'", $"Trust '{certificate.Subject}' (SHA-256 {RootCaCandidate.DisplayFingerprint(certificate)}) as a root CA"))
                {
                    continue;
                }

                try
                {
                    var change = WaitToEnd(store.AddAsync(certificate, Cancellation));
                    any = true;
                    if (store is NssTrustStore)
                    {
                        _trustedProfiles.Add(store.Location);
                    }

                    if (PassThru)
                    {
                        WriteObject(new MailRootCaChange(store.Name, store.Location, certificate.Subject, fingerprint, change == StoreChange.Done ? "Added" : "AlreadyTrusted"));
                    }
                }
                catch (TrustStoreException ex)
                {
                    WriteStoreError(ex);
                }
                catch (UnauthorizedAccessException ex)
                {
                    WritePermissionError(ex, store);
                }
            }

            return any;
        }

        private void RemoveExemptions(IReadOnlyList<string> hosts)
        {
            if (_trustedProfiles.Count == 0)
            {
                WriteWarning("The exemptions were kept: the certificate was not imported into any profile's NSS database (-Store Nss), so the mail client would lose the exemption without gaining the trust.");
                return;
            }

            foreach (var profile in _trustedProfiles)
            {
                if (TrustStores.IsProfileInUse(profile))
                {
                    WriteProfileLocked(profile);
                    continue;
                }

                var file = new CertificateOverrideFile(profile);
                var present = file.Hosts().Where(h => hosts.Contains(h, StringComparer.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
                if (present.Length == 0 || !ShouldProcess(file.Path, $"Delete the certificate exemptions for {string.Join(", ", present)}"))
                {
                    continue;
                }

                try
                {
                    var removed = file.Remove(present);
                    if (PassThru)
                    {
                        WriteObject(new MailRootCaChange("Exemption", file.Path, string.Join(", ", present), string.Empty, "ExemptionRemoved", $"{removed.Count} line(s) removed; a backup was kept beside the file."));
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    WriteError(CmdletInput.Record(ex, "ExemptionFileUnwritable", ErrorCategory.WriteError, file.Path,
                        $"'{file.Path}' could not be rewritten ({ex.Message}); it is as it was."));
                }
            }
        }
    }
}
