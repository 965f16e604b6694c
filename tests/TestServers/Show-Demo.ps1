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
}
finally {
    Write-Host 'Stopping the throwaway servers.'
    Stop-MailTlsTestServer $servers
}
