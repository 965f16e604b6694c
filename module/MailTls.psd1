@{
    # ModuleVersion is written by build.ps1 from Directory.Build.props (the one version number).
    RootModule           = 'MailTls.PowerShell.dll'
    ModuleVersion        = '0.0.0'
    GUID                 = '6f1d3c2a-8a4e-4b9e-9d8e-2b7f5c1e4a90'
    Author               = 'MailTls contributors'
    CompanyName          = 'MailTls'
    Copyright            = '(c) 2026 MailTls contributors. MIT License.'
    Description          = 'Is mail on this account encrypted, and if not, fix it: probe SMTP/IMAP/POP3 TLS (implicit and STARTTLS), certificates and trust, with findings and a verdict.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('MailTls.format.ps1xml')
    CmdletsToExport      = @('Test-MailEndpoint')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('TLS', 'SSL', 'STARTTLS', 'SMTP', 'IMAP', 'POP3', 'Mail', 'Certificate', 'Compliance', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ReleaseNotes = 'First release: Test-MailEndpoint.'
        }
    }
}
