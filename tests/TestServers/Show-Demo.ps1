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

    # The seeds' first step: switch the mail clients to SSL. In a throwaway home, so no real client's settings are touched.
    $demoHome = Join-Path ([IO.Path]::GetTempPath()) ('mailtls-demo-home-' + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path (Join-Path $demoHome '.thunderbird/abcd1234.default')
    Set-Content -LiteralPath (Join-Path $demoHome '.thunderbird/abcd1234.default/prefs.js') -Value @(
        'user_pref("mail.account.account1.identities", "id1");', 'user_pref("mail.account.account1.server", "server1");',
        'user_pref("mail.accountmanager.accounts", "account1");', 'user_pref("mail.identity.id1.useremail", "alice@mailtls.test");',
        "user_pref(`"mail.server.server1.hostname`", `"$($s.cases.good)`");", 'user_pref("mail.server.server1.port", 143);',
        'user_pref("mail.server.server1.type", "imap");', 'user_pref("mail.server.server1.check_time", 1);')
    $msmtprc = Join-Path $demoHome '.msmtprc'
    Set-Content -LiteralPath $msmtprc -Value "# alice's msmtp`naccount work`nhost $($s.cases.good)`nport $($p.smtp)`nfrom alice@mailtls.test`ntls_trust_file $($s.root)`nauth off"
    $clientPaths = (Join-Path $demoHome '.thunderbird/abcd1234.default'), $msmtprc
    Write-Host '> Get-ClientSsl -Path <profile>, ~/.msmtprc' -ForegroundColor Cyan
    Get-ClientSsl -Path $clientPaths | Format-Table Client, Account, Role, Port, Security, @{ n = 'Findings'; e = { $_.Findings.Id -join ' ' } } -AutoSize | Out-Host
    Write-Host '> Get-ClientSsl -Path <profile>, ~/.msmtprc | Set-ClientSsl -Security Implicit -WhatIf' -ForegroundColor Cyan
    Get-ClientSsl -Path $clientPaths | Set-ClientSsl -Security Implicit -WhatIf -WarningAction SilentlyContinue
    # The test servers listen on 10465 rather than 465: a plan row (as Get-MailPortPlan gives one) names the port, and
    # -Verify probes it before writing.
    Write-Host "> [pscustomobject]@{ Protocol = 'Smtp'; HostName = '$($s.cases.good)'; Port = $($p.smtps); Security = 'Implicit'; Recommended = `$true } | Set-ClientSsl -Path ~/.msmtprc -Verify -TrustedRootCertificate root.pem -PassThru" -ForegroundColor Cyan
    [pscustomobject]@{ Protocol = 'Smtp'; HostName = $s.cases.good; Port = $p.smtps; Security = 'Implicit'; Recommended = $true } |
        Set-ClientSsl -Path $msmtprc -Verify -TrustedRootCertificate $s.root -Confirm:$false -PassThru | Format-Table | Out-Host
    if (Get-Command msmtp -ErrorAction Ignore) {
        Write-Host '> msmtp -C ~/.msmtprc -a work -d bob@mailtls.test   (the real client, on the new settings)' -ForegroundColor Cyan
        "Subject: MailTls demo`r`n`r`nSent over TLS.`r`n" | & msmtp -C $msmtprc -a work -d bob@mailtls.test 2>&1 |
            Where-Object { $_ -match 'TLS session parameters|^\(TLS|<-- 250 2\.0\.0' } | Out-Host
    }
    Write-Host '> Undo-ClientSsl -Path ~/.msmtprc -PassThru' -ForegroundColor Cyan
    Undo-ClientSsl -Path $msmtprc -Confirm:$false -PassThru | Format-Table | Out-Host
    Remove-Item -Recurse -Force $demoHome

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
