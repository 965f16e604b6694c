BeforeDiscovery {
    $script:HaveServers = [bool]$env:MAILTLS_STATE
    $script:CanNamespace = $IsLinux -and [bool](Get-Command unshare -ErrorAction Ignore) -and (& id -u) -eq '0'
}

BeforeAll {
    $script:ModulePath = $env:MAILTLS_MODULE
    Import-Module $ModulePath -Force
    . (Join-Path $PSScriptRoot '../TestServers/TestServers.ps1')
    $script:State = Get-MailTlsTestState
    $script:CommandName = 'MailTls.PowerShell.Commands.GetMailPortPlanCommand'
}

Describe 'Get-MailPortPlan against a real DNS server, autoconfig server and mail servers' -Skip:(-not $HaveServers) {
    BeforeAll {
        # Every look-up goes to the loopback dnsmasq of the test servers: no query leaves the machine.
        $script:Plan = Get-MailPortPlan "alice@$($State.zone.domain)" -DnsServer "$($State.zone.server):53" -TrustedRootCertificate $State.root -TimeoutSeconds 3 -WarningAction SilentlyContinue
    }

    It 'recommends the verified servers, best first, as typed entries' {
        $Plan[0] | Should -BeOfType ([MailTls.PortPlanEntry])
        @($Plan | Where-Object Recommended | ForEach-Object { '{0} {1}:{2} {3}' -f $_.Protocol, $_.HostName, $_.Port, $_.Security }) |
            Should -Be @('Imap imap.srv.mailtls.test:10993 Implicit', 'Smtp smtp.srv.mailtls.test:10465 Implicit')
        ($Plan | Where-Object Recommended).Report.Verdict | Should -Be @('Pass', 'Pass')
    }

    It 'recommends no POP3 server, since both SRV names say it is not offered, and says why' {
        $Plan | Where-Object { $_.Protocol -eq 'Pop3' -and $_.Recommended } | Should -BeNullOrEmpty
        ($Plan | Where-Object { $_.Protocol -eq 'Pop3' -and $_.Verified }).Caveats[0] | Should -Match 'Answers, but not published'
    }

    It 'shows the default table with the columns of the issue' {
        $header = (($Plan | Select-Object -First 1 | Format-Table | Out-String) -split "`n" | Where-Object { $_ -match '\S' })[0]
        ($header -split '\s+' | Where-Object { $_ }) | Should -Be @('Role', 'Protocol', 'HostName', 'Port', 'Security', 'Verified', 'Recommended')
    }

    It 'pipes into Test-MailEndpoint by property name' -Skip:(-not $CanNamespace) {
        # Test-MailEndpoint resolves through the system: give it the zone's names in a private /etc/hosts, and a
        # resolv.conf pointing at the scripted NXDOMAIN server, so nothing is asked of the machine's own resolver.
        $hosts = Join-Path $TestDrive 'hosts'
        "127.0.0.1 localhost`n$($State.cases.good) imap.srv.mailtls.test smtp.srv.mailtls.test" | Set-Content $hosts
        $resolv = Join-Path $TestDrive 'resolv.conf'
        "nameserver $($State.dns)" | Set-Content $resolv
        $out = Join-Path $TestDrive 'reports.xml'
        $script = Join-Path $TestDrive 'pipe.ps1'
        "Import-Module '$ModulePath'; Get-MailPortPlan -Domain $($State.zone.domain) -DnsServer $($State.zone.server) -TrustedRootCertificate '$($State.root)' -TimeoutSeconds 3 -WarningAction SilentlyContinue | Where-Object Recommended | Test-MailEndpoint -TrustedRootCertificate '$($State.root)' | Export-Clixml '$out'" |
            Set-Content $script
        & unshare -m bash -c "mount --bind '$hosts' /etc/hosts && mount --bind '$resolv' /etc/resolv.conf && dotnet pwsh -NoProfile -NonInteractive -File '$script'"
        $LASTEXITCODE | Should -Be 0
        $reports = Import-Clixml $out
        @($reports).Count | Should -Be 2
        @($reports | ForEach-Object { '{0}:{1} {2}' -f $_.HostName, $_.Port, $_.Verdict.ToString() } | Sort-Object) | Should -Be @('imap.srv.mailtls.test:10993 Pass', 'smtp.srv.mailtls.test:10465 Pass')
    }
}

Describe 'Get-MailPortPlan with an autoconfig file given by address' -Skip:(-not $HaveServers) {
    It 'reads it as one more source, and refuses an address that is not http(s)' {
        $file = "https://autoconfig.aconly.mailtls.test/mail/config-v1.1.xml"
        $plan = Get-MailPortPlan -Domain other.mailtls.test -AutoconfigUri $file -DnsServer "$($State.zone.server):53" -TrustedRootCertificate $State.root -TimeoutSeconds 3 -WarningAction SilentlyContinue
        $smtp = $plan | Where-Object { $_.Recommended -and $_.Protocol -eq 'Smtp' }
        '{0}:{1} {2} {3}' -f $smtp.HostName, $smtp.Port, $smtp.Security, ($smtp.Sources -join ',') | Should -Be "smtp.aconly.mailtls.test:$($State.ports.smtps) Implicit autoconfig (given)"
        { Get-MailPortPlan -Domain other.mailtls.test -AutoconfigUri 'ftp://x/config.xml' -Offline } | Should -Throw -ErrorId "AutoconfigUriInvalid,$CommandName"
    }
}

Describe 'Get-MailPortPlan against a host that stalls on every mail port (scripted: accepts, never answers)' -Skip:(-not $HaveServers) {
    BeforeAll {
        function script:Get-StallingPeak { [int]((Read-MailTlsScriptedStat $State.stalling.stats) -replace '^peak=') }
        # The host counts a client gone 100 ms after its close (as Postfix's anvil hears of it from smtpd): a test
        # starts counting once the previous one's connections are gone.
        function script:Reset-StallingPeak {
            $until = [datetime]::UtcNow.AddSeconds(5)
            while ((Get-StallingPeak) -ne 0 -and [datetime]::UtcNow -lt $until) { Start-Sleep -Milliseconds 50 }
        }
    }

    It 'holds at most -MaxConnectionsPerHost (default 2) connections to it, and ends within 3 x TimeoutSeconds + 2 s' {
        # A slot is handed on only after the host has closed its side, so its slow count never sees a third.
        Reset-StallingPeak
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        # Each probe waits at least its 1 s greeting timeout, so seven of them two at a time need 4 s: more than the plan has.
        $plan = Get-MailPortPlan -HostName $State.stalling.host -TimeoutSeconds 1 -WarningAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        Get-StallingPeak | Should -Be 2
        $plan.Count | Should -Be 7
        $plan | Where-Object Recommended | Should -BeNullOrEmpty
        # What its turn never came for within the plan's time says so, instead of passing for probed.
        @($plan | Where-Object { $_.Caveats -match '^Not verified: the plan''s time ran out' }).Count | Should -BeGreaterThan 0
    }

    It 'opens all seven at once with -MaxConnectionsPerHost 0 (the control)' {
        Reset-StallingPeak
        $null = Get-MailPortPlan -HostName $State.stalling.host -TimeoutSeconds 2 -MaxConnectionsPerHost 0 -WarningAction SilentlyContinue
        # All seven first connections at once; with no limit to keep, a plaintext port's TLS check (a second
        # connection) may come while the host still counts the first, so the count can go past seven.
        Get-StallingPeak | Should -BeGreaterOrEqual 7
    }
}

Describe 'Get-MailPortPlan without the network' {
    It 'gives the table at once with -Offline: IMAP 993, POP3 995, SMTP 465, all implicit' {
        $plan = Get-MailPortPlan -Domain example.com -Offline
        @($plan | ForEach-Object { '{0}:{1} {2} {3}' -f $_.Protocol, $_.Port, $_.Security, $_.Recommended }) |
            Should -Be @('Imap:993 Implicit True', 'Pop3:995 Implicit True', 'Smtp:465 Implicit True')
    }

    It 'writes <ErrorId> for <Value> and goes on' -ForEach @(
        @{ Value = 'not an address'; ErrorId = 'DomainInvalid' }
        @{ Value = 'alice@@example.com'; ErrorId = 'EmailAddressInvalid' }
        @{ Value = '@example.com'; ErrorId = 'EmailAddressInvalid' }
    ) {
        $plan = $Value, 'example.org' | Get-MailPortPlan -Offline -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be "$ErrorId,$CommandName"
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].TargetObject | Should -Be $Value
        @($plan).Count | Should -Be 3 # the next input was planned
    }

    It 'stops at a -DnsServer that is not an address (DnsServerInvalid)' {
        { Get-MailPortPlan -Domain example.com -DnsServer 'dns.example.com' -ErrorAction Stop } | Should -Throw -ErrorId "DnsServerInvalid,$CommandName"
    }
}
