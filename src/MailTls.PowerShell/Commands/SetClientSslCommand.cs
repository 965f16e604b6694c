using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MailTls.Clients;
using MailTls.Probing;

namespace MailTls.PowerShell.Commands
{
    /// <summary>
    /// Switches mail clients' accounts to SSL/TLS with the matching port: shows every setting before → after with
    /// -WhatIf, refuses while the client runs, backs up, writes atomically and verifies.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "ClientSsl", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = SelectSet)]
    [OutputType(typeof(ClientSslChange))]
    [OutputType(typeof(System.IO.FileInfo), ParameterSetName = new[] { AppleMailSet })]
    [OutputType(typeof(ClientSslGuidance), ParameterSetName = new[] { SelectSet })]
    public sealed class SetClientSslCommand : ClientCmdlet
    {
        private const string SelectSet = "Select";
        private const string InputSet = "InputObject";
        private const string PlanSet = "PlanEntry";
        private const string SettingsSet = "Settings";
        private const string AppleMailSet = "AppleMail";
        private readonly HashSet<(MailProtocol, string)> _switched = new HashSet<(MailProtocol, string)>();
        private EndpointProber? _prober;

        /// <summary>Accounts from Get-ClientSsl: which settings to change (their current port and mode are never the target).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
        public ClientAccount? InputObject { get; set; }

        /// <summary>
        /// From plan entries (Get-MailPortPlan, by property name): whether the entry is the planner's recommendation for
        /// its protocol; entries that are not are skipped. Only plan entries have it, so an account piped from
        /// Get-ClientSsl can never bind here and lend its own port and mode.
        /// </summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PlanSet)]
        public bool Recommended { get; set; }

        /// <summary>An application's settings file (JSON, XML, INI, or a zip holding one) with "Use SSL / Use StartTls / Port" settings.</summary>
        [Parameter(Mandatory = true, ParameterSetName = SettingsSet)]
        [ValidateNotNullOrEmpty]
        public string? SettingsPath { get; set; }

        /// <summary>
        /// Where the settings are in -SettingsPath: @{ UseSsl = '…'; UseStartTls = '…'; Port = '…'; HostName = '…' } — dotted
        /// paths for JSON (EmailService.OutgoingAccount.Port), XPath for XML, Section/key for INI.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = SettingsSet)]
        [ValidateNotNull]
        public System.Collections.Hashtable? Map { get; set; }

        /// <summary>The format of -SettingsPath; default: from its extension (.json, .xml/.config, .ini/.cfg/.conf; .zip/.bog hold XML).</summary>
        [Parameter(ParameterSetName = SettingsSet)]
        public MailTls.SettingsFormat? SettingsFormat { get; set; }

        /// <summary>With a zip archive: the entry that holds the settings; default: its only file.</summary>
        [Parameter(ParameterSetName = SettingsSet)]
        [ValidateNotNullOrEmpty]
        public string? Entry { get; set; }

        /// <summary>With -OutFile: the address of the Apple Mail account the configuration profile sets up.</summary>
        [Parameter(Mandatory = true, ParameterSetName = AppleMailSet)]
        [ValidateNotNullOrEmpty]
        public string? EmailAddress { get; set; }

        /// <summary>Where to write the Apple Mail configuration profile (.mobileconfig) for the user or an MDM to install.</summary>
        [Parameter(Mandatory = true, ParameterSetName = AppleMailSet)]
        [ValidateNotNullOrEmpty]
        public string? OutFile { get; set; }

        /// <summary>With -OutFile: the SMTP server, when it is not the incoming one.</summary>
        [Parameter(ParameterSetName = AppleMailSet)]
        [ValidateNotNullOrEmpty]
        public string? OutgoingHostName { get; set; }

        /// <summary>With -OutFile: the SMTP port; default: 465 for SSL, 587 for STARTTLS.</summary>
        [Parameter(ParameterSetName = AppleMailSet)]
        [ValidateRange(1, 65535)]
        public int? OutgoingPort { get; set; }

        /// <summary>The clients whose accounts to change; default: every client MailTls knows. AppleMail goes with -OutFile.</summary>
        [Parameter(ParameterSetName = SelectSet)]
        [Parameter(ParameterSetName = PlanSet)]
        [Parameter(ParameterSetName = AppleMailSet)]
        public MailClient[]? Client { get; set; }

        /// <summary>Only accounts whose name, e-mail address or server matches (wildcards).</summary>
        [Parameter(ParameterSetName = SelectSet)]
        [Parameter(ParameterSetName = PlanSet)]
        [SupportsWildcards]
        public string[]? Account { get; set; }

        /// <summary>Only incoming (IMAP, POP3) or outgoing (SMTP) servers.</summary>
        [Parameter(ParameterSetName = SelectSet)]
        [Parameter(ParameterSetName = PlanSet)]
        public MailRole? Role { get; set; }

        /// <summary>Settings files or profile folders instead of the default places in your home; on Windows also registry keys (a user's hive, or one account's key).</summary>
        [Parameter(ParameterSetName = SelectSet)]
        [Parameter(ParameterSetName = PlanSet)]
        [Alias("ProfilePath")]
        [EmptyAsNull]
        public string[]? Path { get; set; }

        /// <summary>Every user's profile on this machine (run as root or Administrator).</summary>
        [Parameter(ParameterSetName = SelectSet)]
        [Parameter(ParameterSetName = PlanSet)]
        public SwitchParameter AllUsers { get; set; }

        /// <summary>Only accounts of this protocol (Smtp, Imap or Pop3); a plan entry says it by property name.</summary>
        [Parameter(ParameterSetName = SelectSet)]
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PlanSet)]
        [Parameter(Mandatory = true, ParameterSetName = SettingsSet)]
        [Parameter(Mandatory = true, ParameterSetName = AppleMailSet)]
        public MailProtocol? Protocol { get; set; }

        /// <summary>Implicit (SSL/TLS), StartTls, or None (plaintext; needs -Force); a plan entry says it by property name.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = SelectSet)]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = InputSet)]
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PlanSet)]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = SettingsSet)]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = AppleMailSet)]
        public MailSecurity Security { get; set; }

        /// <summary>The port; default: the one that goes with the mode (993/995/465 for SSL, 143/110/587 for STARTTLS).</summary>
        [Parameter(ParameterSetName = SelectSet)]
        [Parameter(ParameterSetName = InputSet)]
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PlanSet)]
        [Parameter(ParameterSetName = SettingsSet)]
        [Parameter(ParameterSetName = AppleMailSet)]
        [ValidateRange(1, 65535)]
        public int? Port { get; set; }

        /// <summary>A new server for the accounts; default: keep the server. A plan entry says it by property name.</summary>
        [Parameter(ParameterSetName = SelectSet)]
        [Parameter(ParameterSetName = InputSet)]
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PlanSet)]
        [Parameter(ParameterSetName = SettingsSet)]
        [Parameter(Mandatory = true, ParameterSetName = AppleMailSet)]
        [ValidateNotNullOrEmpty]
        public string? HostName { get; set; }

        /// <summary>Probe the new endpoint first and refuse to switch to one whose verdict is Fail or Error (unless -Force).</summary>
        [Parameter]
        public SwitchParameter Verify { get; set; }

        /// <summary>With -Verify: roots to trust besides the system's (certificate files, X509Certificate2 objects).</summary>
        [Parameter]
        public object[]? TrustedRootCertificate { get; set; }

        /// <summary>With -Verify: the probe's timeout per step, in seconds.</summary>
        [Parameter]
        [ValidateRange(1, 300)]
        public int TimeoutSeconds { get; set; } = 10;

        /// <summary>Write even while the client runs, allow -Security None, and switch despite a failed -Verify.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Emit one change record per setting changed.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            if (Verify)
            {
                var options = new ProbeOptions { Timeout = TimeSpan.FromSeconds(TimeoutSeconds) };
                foreach (var root in CmdletInput.TrustedRoots(this, TrustedRootCertificate))
                {
                    options.TrustedRoots.Add(root);
                }

                _prober = new EndpointProber(options);
            }
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputSet)
            {
                Switch(Engine, InputObject!, Security, Port, HostName);
                return;
            }

            if (ParameterSetName == SettingsSet)
            {
                SwitchSettings();
                return;
            }

            if (ParameterSetName == AppleMailSet)
            {
                WriteAppleMailProfile();
                return;
            }

            // Clients whose stores MailTls does not write get the steps to do it by hand.
            var guided = Client?.Where(c => c == MailClient.EudoraMac || c == MailClient.OutlookExpressMac || c == MailClient.Entourage || c == MailClient.IncrediMail).ToArray() ?? Array.Empty<MailClient>();
            foreach (var client in guided)
            {
                WriteGuidance(client);
            }

            if (guided.Length > 0 && guided.Length == Client!.Length)
            {
                return;
            }

            var fromPlan = ParameterSetName == PlanSet;
            var entry = fromPlan ? $"{Protocol} {HostName}:{Port} {Security}" : null;
            if (fromPlan)
            {
                if (Client == null && Account == null && Path == null)
                {
                    // A plan is for one address or domain: without a selection it would move every account of the protocol.
                    ThrowTerminatingError(CmdletInput.Record(new ArgumentException("selection"), "SelectionRequired", ErrorCategory.InvalidArgument, entry,
                        "A plan entry names a server for one address or domain. Say which accounts it is for with -Account (e.g. '*@example.com'), -Client or -Path."));
                }

                if (!Recommended)
                {
                    WriteVerbose($"Plan entry {entry} is not recommended: skipped (filter with Where-Object Recommended, or give -Security and -Port yourself).");
                    return;
                }
            }

            var protocol = Protocol;
            var accounts = Select(Client, Path, AllUsers, Account, Role, protocol);
            if (accounts.Count == 0 && fromPlan)
            {
                // A plan has an entry per protocol; the selected accounts need not use every protocol.
                WriteVerbose($"No selected account uses {Protocol}: plan entry {entry} is not needed.");
                return;
            }

            if (accounts.Count == 0)
            {
                var what = Account != null ? $"'{string.Join("', '", Account)}'" : "any";
                WriteError(CmdletInput.Record(new ItemNotFoundException(what), "AccountNotFound", ErrorCategory.ObjectNotFound, Account != null ? string.Join(",", Account) : (object?)protocol,
                    $"No {(protocol != null ? protocol + " " : string.Empty)}account matches {what}{(Client != null ? " in " + string.Join(", ", Client) : string.Empty)}. Run Get-ClientSsl to see the accounts MailTls finds, then name one with -Account or -Path."));
                return;
            }

            foreach (var account in accounts)
            {
                // A ranked plan (Get-MailPortPlan) lists several endpoints per protocol, best first: the first one wins.
                if (fromPlan && !_switched.Add((account.Protocol, account.ConfigPath + "|" + account.AccountKey)))
                {
                    WriteVerbose($"{account.Client} '{account.Account}' was switched by an earlier plan entry for {account.Protocol}; {entry} is skipped.");
                    continue;
                }

                Switch(Engine, account, Security, Port, HostName);
            }
        }

        private void WriteGuidance(MailClient client)
        {
            if (Protocol == null || ParameterSetName != SelectSet)
            {
                WriteError(CmdletInput.Record(new ArgumentException("protocol"), "ProtocolRequired", ErrorCategory.InvalidArgument, client,
                    $"{client} keeps its accounts in a store MailTls does not write; for the steps to switch one by hand, give -Protocol Imap or Pop3 (and -Security, optionally -HostName and -Port)."));
                return;
            }

            try
            {
                WriteObject(ClientGuidance.For(client, Protocol.Value, Security, Port, HostName));
            }
            catch (ClientConfigException ex)
            {
                WriteClientError(ex);
            }
        }

        private void WriteAppleMailProfile()
        {
            if (Client != null && Client.Any(c => c != MailClient.AppleMail))
            {
                ThrowTerminatingError(CmdletInput.Record(new ArgumentException("client"), "OutFileNeedsAppleMail", ErrorCategory.InvalidArgument, string.Join(",", Client),
                    "-OutFile writes an Apple Mail configuration profile: give -Client AppleMail, or leave -Client out."));
            }

            string profile;
            try
            {
                profile = AppleMailProfile.Build(EmailAddress!, HostName!, Protocol!.Value, Security, Port, OutgoingHostName, OutgoingPort);
            }
            catch (ClientConfigException ex)
            {
                WriteClientError(ex);
                return;
            }
            catch (ArgumentException ex)
            {
                WriteError(CmdletInput.Record(ex, "ProfileInputInvalid", ErrorCategory.InvalidArgument, EmailAddress, ex.Message));
                return;
            }

            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutFile);
            var bytes = new System.Text.UTF8Encoding(false).GetBytes(profile);
            if (System.IO.File.Exists(path) && System.IO.File.ReadAllBytes(path).SequenceEqual(bytes))
            {
                WriteVerbose($"'{path}' already holds this profile: nothing to write.");
            }
            else if (ShouldProcess(path, $"Write an Apple Mail configuration profile for {EmailAddress}: {Protocol} {HostName} with SSL/TLS ({Security}), SMTP {OutgoingHostName ?? HostName} with SSL/TLS"))
            {
                try
                {
                    MailTls.Files.AtomicFile.Write(path, bytes, hiddenBackup: true);
                }
                catch (UnauthorizedAccessException ex)
                {
                    WriteAccessDenied(ex, path);
                    return;
                }
                catch (System.IO.IOException ex)
                {
                    WriteError(CmdletInput.Record(ex, "ProfileWriteFailed", ErrorCategory.WriteError, path, $"'{path}' could not be written: {ex.Message}"));
                    return;
                }
            }
            else
            {
                return;
            }

            if (PassThru)
            {
                WriteObject(new System.IO.FileInfo(path));
            }
        }

        private void SwitchSettings()
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(SettingsPath);
            MailTls.Clients.Settings.SettingsTarget target;
            try
            {
                var map = Map!.Keys.Cast<object>().ToDictionary(k => k.ToString() ?? string.Empty, k => Map[k]?.ToString() ?? string.Empty, StringComparer.OrdinalIgnoreCase);
                target = new MailTls.Clients.Settings.SettingsTarget(path, map, Protocol!.Value, SettingsFormat, Entry);
            }
            catch (ClientConfigException ex)
            {
                WriteClientError(ex);
                return;
            }

            var engine = ClientSslEngine.ForSettings(target);
            var read = engine.Read(new ClientQuery { Paths = new[] { path } });
            foreach (var error in read.Errors)
            {
                WriteClientError(error);
            }

            foreach (var account in read.Accounts)
            {
                Switch(engine, account, Security, Port, HostName);
            }
        }

        private void Switch(ClientSslEngine engine, ClientAccount account, MailSecurity security, int? port, string? hostName)
        {
            ClientSslPlan plan;
            try
            {
                plan = engine.Plan(account, security, port, hostName, Force, ClientVersion);
            }
            catch (ClientConfigException ex)
            {
                WriteClientError(ex);
                return;
            }
            catch (UnauthorizedAccessException ex)
            {
                WriteAccessDenied(ex, account.ConfigPath);
                return;
            }

            var target = $"{plan.Account.Client} account '{plan.Account.Account}' ({plan.Account.Role} {plan.Account.Protocol} {plan.Account.HostName}:{plan.Account.Port}, {plan.Account.Security}) in {plan.Account.ConfigPath}";
            if (plan.Changes.Count == 0)
            {
                WriteVerbose($"{target} already uses {plan.Security} on port {plan.Port}: nothing to change.");
                return;
            }

            foreach (var warning in plan.Warnings)
            {
                WriteWarning(warning);
            }

            if (Verify && !Verified(plan))
            {
                return;
            }

            var action = $"Switch to {plan.Security} on {plan.HostName}:{plan.Port}: "
                + string.Join("; ", plan.Changes.Select(c => $"{c.Setting} {c.OldValue ?? "(not set)"} -> {c.NewValue ?? "(removed)"}"));
            if (!ShouldProcess(target, action))
            {
                return;
            }

            try
            {
                foreach (var change in engine.Apply(plan, Force, ClientVersion))
                {
                    WriteVerbose($"{change.ConfigPath}: {change.Setting} {change.OldValue ?? "(not set)"} -> {change.NewValue ?? "(removed)"} (backup {change.BackupPath})");
                    if (PassThru)
                    {
                        WriteObject(change);
                    }
                }
            }
            catch (ClientConfigException ex)
            {
                WriteClientError(ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                WriteAccessDenied(ex, plan.Account.ConfigPath);
            }
        }

        private bool Verified(ClientSslPlan plan)
        {
            if (plan.HostName.Length == 0)
            {
                WriteError(CmdletInput.Record(new InvalidOperationException("no host"), "HostNameUnknown", ErrorCategory.InvalidArgument, plan.Account.ConfigPath,
                    $"-Verify needs the server's name, and '{plan.Account.ConfigPath}' does not say it here. Add HostName to -Map, or give -HostName."));
                return false;
            }

            var endpoint = new MailEndpoint(plan.HostName, plan.Port, plan.Account.Protocol, plan.Security);
            var report = Wait(_prober!.ProbeAsync(endpoint, Cancellation));
            WriteVerbose($"-Verify: {plan.HostName}:{plan.Port} {plan.Security} has verdict {report.Verdict}.");
            if (report.Verdict < Verdict.Fail || Force)
            {
                return true;
            }

            var findings = string.Join("; ", report.Findings.Where(f => f.Severity >= FindingSeverity.Failure).Select(f => f.Id + " " + f.Name));
            WriteError(CmdletInput.Record(new InvalidOperationException(findings), "EndpointVerifyFailed",
                report.Verdict == Verdict.Error ? ErrorCategory.ConnectionError : ErrorCategory.SecurityError, $"{plan.HostName}:{plan.Port}",
                $"{plan.HostName}:{plan.Port} ({plan.Security}) has verdict {report.Verdict} ({findings}), so '{plan.Account.Account}' was not switched to it. Fix the server (Test-MailEndpoint shows why), choose another endpoint, or add -Force."));
            return false;
        }
    }
}
