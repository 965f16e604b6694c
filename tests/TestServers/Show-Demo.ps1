<#
.SYNOPSIS
    The demo: throwaway Postfix + Dovecot on loopback with a generated CA, probed as a user sees it.
#>
[CmdletBinding()]
param([Parameter(Mandatory)] [string] $ModulePath)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'TestServers.ps1')
Import-Module $ModulePath

Write-Host 'Starting throwaway Postfix and Dovecot on loopback (127.0.0.11-23) with a CA made just now...'
$servers = Start-MailTlsTestServer
try {
    $s = $servers.State
    $p = $s.ports
    $endpoints = @(
        [pscustomobject]@{ HostName = $s.cases.good; Port = $p.imaps; Protocol = 'Imap'; Security = 'Implicit' }
        [pscustomobject]@{ HostName = $s.cases.good; Port = $p.submission; Protocol = 'Smtp'; Security = 'StartTls' }
        [pscustomobject]@{ HostName = $s.cases.good; Port = $p.smtps; Protocol = 'Smtp'; Security = 'Implicit' }
        [pscustomobject]@{ HostName = $s.cases.good; Port = $p.pop3; Protocol = 'Pop3'; Security = 'StartTls' }
        [pscustomobject]@{ HostName = $s.cases.expired; Port = $p.imaps; Protocol = 'Imap'; Security = 'Implicit' }
        [pscustomobject]@{ HostName = $s.cases.wrongname; Port = $p.pop3s; Protocol = 'Pop3'; Security = 'Implicit' }
        [pscustomobject]@{ HostName = $s.cases.selfsigned; Port = $p.imaps; Protocol = 'Imap'; Security = 'Implicit' }
        [pscustomobject]@{ HostName = $s.cases.nointermediate; Port = $p.submission; Protocol = 'Smtp'; Security = 'StartTls' }
        [pscustomobject]@{ HostName = $s.cases.nostarttls; Port = $p.submission; Protocol = 'Smtp'; Security = 'StartTls' }
        [pscustomobject]@{ HostName = $s.cases.plaintextlogin; Port = $p.imap; Protocol = 'Imap'; Security = 'StartTls' }
        [pscustomobject]@{ HostName = $s.cases.legacytls; Port = $p.smtps; Protocol = 'Smtp'; Security = 'Implicit' }
        [pscustomobject]@{ HostName = $s.cases.good; Port = 1; Protocol = 'Smtp'; Security = 'StartTls' }
        [pscustomobject]@{ HostName = $s.scripted.SmtpStartTlsInjection; Port = $null; Protocol = 'Smtp'; Security = 'StartTls' }
    ) | Select-Object @{ n = 'HostName'; e = { if ($_.Port) { $_.HostName } else { $_.HostName.Split(':')[0] } } },
        @{ n = 'Port'; e = { if ($_.Port) { $_.Port } else { [int]$_.HostName.Split(':')[1] } } }, Protocol, Security

    Write-Host ''
    Write-Host '> $endpoints | Test-MailEndpoint -TrustedRootCertificate root.pem -TimeoutSeconds 3' -ForegroundColor Cyan
    $reports = $endpoints | Test-MailEndpoint -TrustedRootCertificate $s.root -TimeoutSeconds 3 | Sort-Object HostName, Port
    $reports | Format-Table | Out-Host

    Write-Host '> $reports | Where-Object Verdict -ne Pass | Select-Object Target, Verdict, FindingIds' -ForegroundColor Cyan
    $reports | Where-Object Verdict -ne 'Pass' | Select-Object Target, Verdict, FindingIds | Format-Table -AutoSize | Out-Host

    Write-Host "> Test-MailEndpoint $($s.cases.expired):$($p.imaps) -Protocol Imap -Security Implicit -TrustedRootCertificate root.pem -IncludeTlsVersions | Format-List" -ForegroundColor Cyan
    Test-MailEndpoint "$($s.cases.expired):$($p.imaps)" -Protocol Imap -Security Implicit -TrustedRootCertificate $s.root -IncludeTlsVersions | Format-List | Out-Host

    # Which ports should a user put in the client? Every look-up goes to the loopback DNS server of the test zone.
    Write-Host "> Get-MailPortPlan alice@$($s.zone.domain) -DnsServer $($s.zone.server) -TrustedRootCertificate root.pem | Where-Object Recommended" -ForegroundColor Cyan
    Get-MailPortPlan "alice@$($s.zone.domain)" -DnsServer $s.zone.server -TrustedRootCertificate $s.root -TimeoutSeconds 3 -WarningAction SilentlyContinue |
        Where-Object Recommended | Format-Table | Out-Host

    if (Get-Command certutil -ErrorAction Ignore) {
        # The seeds' other step: trust the provider's root, then drop the temporary exemption. Into a throwaway
        # Thunderbird-like profile, so this machine's own trust is never touched.
        $profileDirectory = Join-Path ([IO.Path]::GetTempPath()) ('mailtls-demo-profile-' + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $profileDirectory
        & certutil -N --empty-password -d "sql:$profileDirectory"
        $selfSigned = "$($s.cases.selfsigned):$($p.imaps)"
        "$($selfSigned):`tOID.2.16.840.1.101.3.4.2.1`tAA:BB`t" | Set-Content (Join-Path $profileDirectory 'cert_override.txt')
        Write-Host "> Import-MailRootCa -Path root.pem -Store Nss -ProfilePath <profile> -Confirm:`$false -PassThru" -ForegroundColor Cyan
        Import-MailRootCa -Path $s.root -Store Nss -ProfilePath $profileDirectory -Confirm:$false -PassThru | Format-Table | Out-Host
        $pin = (Test-MailEndpoint $selfSigned -Protocol Imap -Security Implicit).Sha256Fingerprint
        Write-Host "> Import-MailRootCa -FromEndpoint $selfSigned -AllowSelfSignedLeaf -Thumbprint $pin -Store Nss -ProfilePath <profile> -RemoveExemption -PassThru" -ForegroundColor Cyan
        Import-MailRootCa -FromEndpoint $selfSigned -Protocol Imap -Security Implicit -AllowSelfSignedLeaf -Thumbprint $pin -Store Nss -ProfilePath $profileDirectory `
            -RemoveExemption -Confirm:$false -PassThru | Format-Table | Out-Host
        Write-Host '> Get-MailRootCa -Store Nss -ProfilePath <profile>' -ForegroundColor Cyan
        Get-MailRootCa -Store Nss -ProfilePath $profileDirectory | Format-Table Store, Subject, NotAfter, Sha256Fingerprint | Out-Host
        Remove-Item -Recurse -Force $profileDirectory
    }
}
finally {
    Write-Host 'Stopping the throwaway servers.'
    Stop-MailTlsTestServer $servers
}
