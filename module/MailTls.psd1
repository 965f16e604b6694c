@{
    # ModuleVersion is written by build.ps1 from Directory.Build.props (the one version number).
    RootModule           = 'MailTls.PowerShell.dll'
    ModuleVersion        = '0.0.0'
    GUID                 = '6f1d3c2a-8a4e-4b9e-9d8e-2b7f5c1e4a90'
    Author               = 'MailTls contributors'
    CompanyName          = 'MailTls'
    Copyright            = '(c) 2026 MailTls contributors. MIT License.'
    Description          = 'Is mail on this account encrypted, and if not, fix it: probe SMTP/IMAP/POP3 TLS (implicit and STARTTLS), certificates and trust, with findings and a verdict; switch mail clients'' accounts to SSL/TLS with the matching port; trust a mail server''s root CA and drop the temporary exemptions.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('MailTls.format.ps1xml')
    TypesToProcess       = @('MailTls.types.ps1xml')
    CmdletsToExport      = @('Test-MailEndpoint', 'Get-MailPortPlan', 'Import-MailRootCa', 'Get-MailRootCa', 'Remove-MailRootCa',
                            'Get-ClientSsl', 'Set-ClientSsl', 'Undo-ClientSsl', 'Export-MailTlsReport', 'Compare-MailTlsReport')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('TLS', 'SSL', 'STARTTLS', 'SMTP', 'IMAP', 'POP3', 'Email', 'Mail', 'Certificate', 'Security', 'Compliance', 'Thunderbird', 'Fetchmail',
                'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://github.com/MailTls/MailTls/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/MailTls/MailTls'
            ReleaseNotes = @'
0.1.0
- Test-MailEndpoint: probe SMTP, IMAP and POP3 endpoints (implicit TLS and STARTTLS) for TLS version, cipher,
  certificate chain and trust, name, expiry, capabilities before and after TLS, findings and a verdict.
- Get-MailPortPlan: from an address or domain, the server, port and mode each protocol should use (DNS SRV,
  autoconfig, MX, conventional names), verified by probing and ranked.
- Import-MailRootCa, Get-MailRootCa, Remove-MailRootCa: trust a mail server's root CA in the system store (Windows,
  macOS, Debian/Ubuntu, RHEL/Fedora), NSS databases (Thunderbird, Firefox) or Thunderbird's policies.json, and delete
  Thunderbird's temporary certificate exemptions.
- Get-ClientSsl, Set-ClientSsl, Undo-ClientSsl: read and switch mail clients' accounts to SSL/TLS with the matching
  port (Thunderbird, SeaMonkey, Netscape, msmtp, fetchmail, mbsync, Mutt, Evolution, Claws Mail, getmail, Eudora,
  Windows Live Mail, settings files, Apple Mail profiles), with backups, atomic writes and -WhatIf.
- Export-MailTlsReport: reports as CSV, JSON, JSON lines, JUnit or a self-contained HTML page, streamed; -FailOn
  for schedulers and CI. Compare-MailTlsReport: what changed per endpoint since the last run.
- Policies as data (-Policy: a .psd1 or JSON file or a hashtable), -MaxConnectionsPerHost and retries with backoff,
  -Shard for fleets split across machines.
- Dependencies (MailKit, MimeKit, BouncyCastle) load in the module's own AssemblyLoadContext on PowerShell 7.
'@
        }
    }
}
