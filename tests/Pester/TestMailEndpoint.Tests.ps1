BeforeDiscovery {
    $script:HaveServers = [bool]$env:MAILTLS_STATE
}

BeforeAll {
    $script:ModulePath = $env:MAILTLS_MODULE
    Import-Module $ModulePath -Force
    . (Join-Path $PSScriptRoot '../TestServers/TestServers.ps1')
    $script:State = Get-MailTlsTestState
    if ($State) {
        $script:Good = $State.cases.good
        $script:Root = $State.root
        $script:Silent = $State.scripted.Silent
    }
    $script:CommandName = 'MailTls.PowerShell.Commands.TestMailEndpointCommand'

    # Twelve probes of the scripted Silent server (it accepts and never answers) run in the background; three seconds
    # in, its SilentStats port says how many connections it holds open ("open=N").
    function script:Measure-SilentOpen([int] $ThrottleLimit, [int] $MaxConnectionsPerHost = 2) {
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($module, $target, $throttle, $perHost)
                Import-Module $module
                1..12 | ForEach-Object { $target } | Test-MailEndpoint -Protocol Smtp -Security StartTls -TimeoutSeconds 10 -ThrottleLimit $throttle -MaxConnectionsPerHost $perHost
            }).AddArgument($ModulePath).AddArgument($Silent).AddArgument($ThrottleLimit).AddArgument($MaxConnectionsPerHost)
        $null = $ps.BeginInvoke()
        try {
            Start-Sleep -Seconds 3
            Read-MailTlsScriptedStat $State.scripted.SilentStats
        }
        finally {
            $ps.Stop()
            $ps.Dispose()
        }
    }
}

Describe 'Test-MailEndpoint against real servers' -Skip:(-not $HaveServers) {
    It 'reports a good IMAPS endpoint as Pass, as a typed object' {
        $report = Test-MailEndpoint "$($Good):$($State.ports.imaps)" -Protocol Imap -Security Implicit -TrustedRootCertificate $Root
        $report | Should -BeOfType ([MailTls.EndpointReport])
        $report.pstypenames[0] | Should -Be 'MailTls.EndpointReport'
        $report.Verdict | Should -Be 'Pass'
        $report.TlsVersion | Should -Be 'TLS 1.3'
        $report.ChainTrusted | Should -BeTrue
    }

    It 'accepts host names as strings from the pipeline' {
        $reports = "$($Good):$($State.ports.imaps)", "$($Good):$($State.ports.pop3s)" |
            Test-MailEndpoint -Protocol Imap -Security Implicit -TrustedRootCertificate $Root -ThrottleLimit 1
        $reports.Count | Should -Be 2
        ($reports.Port | Sort-Object) | Should -Be @($State.ports.pop3s, $State.ports.imaps | Sort-Object)
    }

    It 'binds HostName, Port, Protocol and Security by property name from Import-Csv' {
        $csv = Join-Path $TestDrive 'servers.csv'
        @(
            [pscustomobject]@{ HostName = $Good; Port = $State.ports.submission; Protocol = 'Smtp'; Security = 'StartTls' }
            [pscustomobject]@{ HostName = $Good; Port = $State.ports.imaps; Protocol = 'Imap'; Security = 'Implicit' }
            [pscustomobject]@{ HostName = $State.cases.expired; Port = $State.ports.pop3s; Protocol = 'Pop3'; Security = 'Implicit' }
        ) | Export-Csv -Path $csv -NoTypeInformation
        $reports = Import-Csv $csv | Test-MailEndpoint -TrustedRootCertificate $Root | Sort-Object Port
        $reports.Count | Should -Be 3
        ($reports | Where-Object Port -eq $State.ports.submission).Protocol | Should -Be 'Smtp'
        ($reports | Where-Object Port -eq $State.ports.submission).Verdict | Should -Be 'Pass'
        ($reports | Where-Object Port -eq $State.ports.pop3s).Findings.Name | Should -Contain 'CertificateExpired'
    }

    It 'streams results as probes finish, not in input order' {
        $arrivals = "$($Silent)", "$($Good):$($State.ports.imaps)" |
            Test-MailEndpoint -Protocol Smtp -Security StartTls -TimeoutSeconds 3 -ThrottleLimit 2 |
            ForEach-Object { [pscustomobject]@{ Port = $_.Port; At = [datetime]::UtcNow } }
        $arrivals.Count | Should -Be 2
        $arrivals[0].Port | Should -Be $State.ports.imaps
        ($arrivals[1].At - $arrivals[0].At).TotalSeconds | Should -BeGreaterThan 1
    }

    It 'holds exactly -ThrottleLimit probes in flight while there is work' {
        # The scripted Silent server counts the connections it holds open (its SilentStats port reports the number).
        # Twelve probes that each wait 10 s for a greeting, 3 at a time: three seconds in, exactly 3 are open
        # (the margins are wide on purpose: this proves the bound, not a speed).
        Measure-SilentOpen -ThrottleLimit 3 -MaxConnectionsPerHost 0 | Should -Be 'open=3'
    }

    It 'never holds more than -MaxConnectionsPerHost (default 2) connections to one server, whatever the throttle' {
        # The same counting server: twelve stalled probes with room for 8 at once, yet only 2 are open to the one host.
        Measure-SilentOpen -ThrottleLimit 8 | Should -Be 'open=2'
    }

    Context 'a real Postfix that allows 2 connections per client (smtpd_client_connection_count_limit = 2, no exceptions)' {
        BeforeAll {
            $script:Limited = 1..20 | ForEach-Object {
                $port = @($State.ports.smtp, $State.ports.submission, $State.ports.smtps)[$_ % 3]
                [pscustomobject]@{ HostName = $State.cases.connlimit; Port = $port; Protocol = 'Smtp'; Security = if ($port -eq $State.ports.smtps) { 'Implicit' } else { 'StartTls' } }
            }

            $script:OnHeldPort = @($Limited | Where-Object Port -EQ $State.ports.smtp)

            # One connection to the limited Postfix's smtp port and the first line it sends (220, or 421 when full).
            function script:Open-SmtpConnection {
                $client = [System.Net.Sockets.TcpClient]::new()
                $client.Connect($State.cases.connlimit, $State.ports.smtp)
                $client.ReceiveTimeout = 5000
                $greeting = [byte[]]::new(512)
                $read = $client.GetStream().Read($greeting, 0, $greeting.Length)
                [pscustomobject]@{ Client = $client; Greeting = [System.Text.Encoding]::ASCII.GetString($greeting, 0, $read) }
            }

            # Connections the test holds open, each read past its 220 greeting; none is left open if one is refused.
            function script:Open-HeldSmtpConnection([int] $Count) {
                $held = [System.Collections.Generic.List[System.Net.Sockets.TcpClient]]::new()
                try {
                    foreach ($n in 1..$Count) {
                        $connection = Open-SmtpConnection
                        $held.Add($connection.Client)
                        $connection.Greeting | Should -Match '^220 '
                    }
                }
                catch {
                    $held | ForEach-Object Dispose
                    throw
                }
                $held
            }

            # Postfix frees a slot when it has seen the close: wait (at most 5 s) until a new connection is greeted.
            function script:Wait-SmtpSlot {
                $deadline = [datetime]::UtcNow.AddSeconds(5)
                do {
                    $connection = Open-SmtpConnection
                    $connection.Client.Dispose()
                    if ($connection.Greeting -match '^220 ') { return }
                    Start-Sleep -Milliseconds 100
                } while ([datetime]::UtcNow -lt $deadline)
                throw 'The limited Postfix still turns connections away 5 s after the test closed its own.'
            }

            # Postfix's log line for each connection it turned away on that port.
            $script:MailLog = Join-Path (Split-Path -Parent $env:MAILTLS_STATE) 'postfix/maillog'
            $script:TurnedAway = "concurrency limit exceeded: \d+ from \S+ for service $([regex]::Escape("$($State.cases.connlimit):$($State.ports.smtp)"))"
        }

        It 'turns a third connection away with 421 (the control: the limit is real)' {
            # Two connections held open by the test itself (each past its greeting, so Postfix counts it; it counts per
            # service, so on the probes' port); probes are too quick on loopback to overlap by chance.
            $held = Open-HeldSmtpConnection -Count 2
            try {
                $report = $OnHeldPort[0] | Test-MailEndpoint -MaxConnectionsPerHost 0 -MaximumRetryCount 0 -TrustedRootCertificate $Root
            }
            finally {
                $held | ForEach-Object Dispose
                Wait-SmtpSlot
            }
            $report.Findings.Name | Should -Contain 'ServiceNotReady'
            ($report.Findings | Where-Object Name -EQ 'ServiceNotReady').Message | Should -Match '421'
        }

        It 'probes 20 endpoints on that host, 20 at a time, with no 421, under the default per-host limit' {
            $reports = $Limited | Test-MailEndpoint -ThrottleLimit 20 -MaximumRetryCount 0 -TrustedRootCertificate $Root
            $reports.Count | Should -Be 20
            $reports.Verdict | Sort-Object -Unique | Should -Be 'Pass'
            $reports.Attempts | Sort-Object -Unique | Should -Be 1
        }

        It 'also enumerates TLS versions there within the limit (the version probes wait their turn)' {
            $reports = $Limited[0..3] | Test-MailEndpoint -ThrottleLimit 4 -IncludeTlsVersions -MaximumRetryCount 0 -TrustedRootCertificate $Root
            $reports.Verdict | Sort-Object -Unique | Should -Be 'Pass'
            $reports.FindingIds | Should -Not -Match 'MTLS045'
            $reports | ForEach-Object { $_.AcceptedTlsVersions | Should -Be 'TLS 1.2', 'TLS 1.3' }
        }

        It 'recovers from 421 by retrying with backoff, and says how many attempts it took' {
            # While the test holds both allowed connections, the three probes' first attempts meet 421; once Postfix has
            # logged all three, the test lets its connections go, and the paused retries (250 ms, 500 ms, 1 s, ...) get through.
            $before = @(Select-String -Path $MailLog -Pattern $TurnedAway).Count
            $held = Open-HeldSmtpConnection -Count 2
            $probe = [powershell]::Create()
            $null = $probe.AddScript({
                    param($module, $targets, $root)
                    Import-Module $module
                    $targets | Test-MailEndpoint -MaxConnectionsPerHost 0 -MaximumRetryCount 5 -TrustedRootCertificate $root
                }).AddArgument($ModulePath).AddArgument($OnHeldPort[0..2]).AddArgument($Root)
            $running = $probe.BeginInvoke()
            try {
                $deadline = [datetime]::UtcNow.AddSeconds(10)
                while (@(Select-String -Path $MailLog -Pattern $TurnedAway).Count -lt $before + 3 -and [datetime]::UtcNow -lt $deadline) {
                    Start-Sleep -Milliseconds 50
                }
            }
            finally {
                $held | ForEach-Object Dispose
            }
            $reports = @($probe.EndInvoke($running))
            $probe.Dispose()
            Wait-SmtpSlot
            $reports.Count | Should -Be 3
            $reports.Verdict | Sort-Object -Unique | Should -Be 'Pass'
            $reports | ForEach-Object { $_.Attempts | Should -BeGreaterThan 1 }
        }
    }

    It 'resolves names through -DnsServer, never the system resolver, when it is given' {
        $report = Test-MailEndpoint "imap.$($State.zone.domain):$($State.ports.imaps)" -Protocol Imap -Security Implicit -DnsServer $State.zone.server -TrustedRootCertificate $Root
        $report.IPAddress | Should -Be $Good
        $report.Verdict | Should -Be 'Pass'
        # dnsmasq answers NXDOMAIN for names it does not hold under mailtls.test.
        $missing = Test-MailEndpoint "nosuch.mailtls.test:$($State.ports.imaps)" -Protocol Imap -Security Implicit -DnsServer "$($State.zone.server):53"
        $missing.Findings.Name | Should -Be 'NameNotResolved'
        $missing.Verdict | Should -Be 'Error'
    }

    It 'returns only booleans with -Quiet' {
        $answers = "$($Good):$($State.ports.imaps)", "$($State.cases.expired):$($State.ports.imaps)" |
            Test-MailEndpoint -Protocol Imap -Security Implicit -TrustedRootCertificate $Root -Quiet -ThrottleLimit 1
        $answers | Should -Be @($true, $false)
        $answers[0] | Should -BeOfType ([bool])
    }

    It 'gives one Error report, not an exception, for a refused endpoint' {
        $report = Test-MailEndpoint "$($Good):1" -Protocol Smtp
        $report.Verdict | Should -Be 'Error'
        $report.Findings[0].Name | Should -Be 'ConnectionRefused'
    }

    It 'shows the default table with the columns of the issue' {
        $text = Test-MailEndpoint "$($Good):$($State.ports.imaps)" -Protocol Imap -Security Implicit -TrustedRootCertificate $Root | Format-Table | Out-String
        $header = ($text -split "`n" | Where-Object { $_ -match '\S' })[0]
        ($header -split '\s+' | Where-Object { $_ }) | Should -Be @('HostName', 'Port', 'Protocol', 'Security', 'TlsVersion', 'ChainTrusted', 'DaysToExpiry', 'Verdict')
        $text | Should -Match '127\.0\.0\.11\s+10993\s+Imap\s+Implicit\s+TLS 1\.3\s+True\s+\d+\s+Pass'
    }

    It 'shows findings and remediation in the list view' {
        $text = Test-MailEndpoint "$($State.cases.expired):$($State.ports.imaps)" -Protocol Imap -Security Implicit -TrustedRootCertificate $Root | Format-List | Out-String
        $text | Should -Match 'Findings\s+: MTLS050 Failure: The server certificate has expired'
        $text | Should -Match 'Remediation\s+: MTLS050: Renew the certificate'
        $text | Should -Match 'Sha256Fingerprint'
    }

    It 'round-trips through Export-Csv with the certificate facts as flat strings' {
        $report = Test-MailEndpoint "$($Good):$($State.ports.imaps)" -Protocol Imap -Security Implicit -TrustedRootCertificate $Root
        $csv = Join-Path $TestDrive 'reports.csv'
        $report | Export-Csv -Path $csv -NoTypeInformation
        $row = Import-Csv $csv
        $row.Verdict | Should -Be 'Pass'
        $row.Subject | Should -Be $report.Subject
        $row.Thumbprint | Should -Be $report.Thumbprint
        $row.Sha256Fingerprint | Should -Be $report.Sha256Fingerprint
        $row.SubjectAlternativeNames | Should -Be 'mail.mailtls.test; *.srv.mailtls.test; *.srvonly.mailtls.test; *.aconly.mailtls.test; imap.badcert.mailtls.test; 127.0.0.11; ::1'
        $row.TlsVersion | Should -Be 'TLS 1.3'
    }

    It 'round-trips through Export-Clixml with its findings' {
        $report = Test-MailEndpoint "$($State.cases.expired):$($State.ports.imaps)" -Protocol Imap -Security Implicit -TrustedRootCertificate $Root
        $xml = Join-Path $TestDrive 'report.xml'
        $report | Export-Clixml -Path $xml
        $back = Import-Clixml $xml
        $back.pstypenames | Should -Contain 'Deserialized.MailTls.EndpointReport'
        $back.Verdict.ToString() | Should -Be 'Fail'
        $back.Findings.Id | Should -Contain 'MTLS050'
        $back.FindingIds | Should -Be $report.FindingIds
        # What users filter on keeps working on the copy: enums travel as their names, facts as flat primitives.
        @($back | Where-Object Verdict -EQ 'Fail').Count | Should -Be 1
        @($back | Where-Object { $_.Protocol -eq 'Imap' -and $_.Security -eq 'Implicit' }).Count | Should -Be 1
        @($back.Findings | Where-Object Severity -EQ 'Failure').Id | Should -Be 'MTLS050'
        $back.NotAfter | Should -BeOfType ([datetime])
        $back.DaysToExpiry | Should -BeLessThan 0
        foreach ($name in 'Subject', 'Issuer', 'Thumbprint', 'SubjectAlternativeNames', 'Sha256Fingerprint', 'TlsVersion', 'IPAddress') {
            $back.$name | Should -BeOfType ([string]) -Because $name
            $back.$name | Should -Be $report.$name -Because $name
        }
        # The module's views cover the deserialized type too: the same table and list as the live report.
        $table = ($back | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() }
        ($table[0] -split '\s+' | Where-Object { $_ }) | Should -Be @('HostName', 'Port', 'Protocol', 'Security', 'TlsVersion', 'ChainTrusted', 'DaysToExpiry', 'Verdict')
        $list = $back | Format-List | Out-String -Width 200
        $list | Should -Match 'Findings\s+: MTLS050 Failure: The server certificate has expired'
        $list | Should -Match 'Remediation\s+: MTLS050: Renew the certificate'
    }

    It 'gives every view of the module to the Deserialized.* type of its objects as well' {
        $formats = [xml](Get-Content (Join-Path (Split-Path $ModulePath) 'MailTls.format.ps1xml') -Raw)
        foreach ($view in $formats.Configuration.ViewDefinitions.View) {
            $names = @($view.ViewSelectedBy.TypeName)
            $names | Should -Contain "Deserialized.$($names[0])" -Because $view.Name
        }
    }

    It 'stops a 1,000-endpoint run within 2 seconds of Ctrl+C (runspace Stop)' {
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($module, $target)
                Import-Module $module
                1..1000 | ForEach-Object { $target } | Test-MailEndpoint -Protocol Smtp -Security StartTls -TimeoutSeconds 60 -ThrottleLimit 64
            }).AddArgument($ModulePath).AddArgument($Silent)
        $async = $ps.BeginInvoke()
        Start-Sleep -Seconds 2
        $async.IsCompleted | Should -BeFalse
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $clock.Stop()
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 2
        $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        $ps.Dispose()
    }

    It 'gives one report per address with -AllAddresses, and NameNotResolved without sending DNS off the machine' -Skip:(-not $IsLinux -or -not (Get-Command unshare -ErrorAction Ignore) -or (& id -u) -ne '0') {
        # A private mount namespace: its own /etc/hosts (a round-robin name) and a resolv.conf that points at the
        # scripted DNS server on loopback, which answers NXDOMAIN: an unknown name fails here and no query leaves.
        $hosts = Join-Path $TestDrive 'hosts'
        "127.0.0.1 localhost`n$($Good) pool.mailtls.test`n$($State.cases.expired) pool.mailtls.test`n::1 pool.mailtls.test" | Set-Content $hosts
        $resolv = Join-Path $TestDrive 'resolv.conf'
        "nameserver $($State.dns)`noptions timeout:1 attempts:1" | Set-Content $resolv
        $out = Join-Path $TestDrive 'reports.xml'
        $inner = "Import-Module '$ModulePath'; " +
            "@(Test-MailEndpoint pool.mailtls.test -Port $($State.ports.imaps) -Protocol Imap -Security Implicit -AllAddresses -ServerName mail.mailtls.test -TrustedRootCertificate '$Root'; " +
            "Test-MailEndpoint nosuch.mailtls.test -Port $($State.ports.imaps) -Protocol Imap) | Export-Clixml '$out'"
        & unshare -m bash -c "mount --bind '$hosts' /etc/hosts && mount --bind '$resolv' /etc/resolv.conf && dotnet pwsh -NoProfile -NonInteractive -Command `"$inner`""
        $LASTEXITCODE | Should -Be 0
        $reports = Import-Clixml $out
        $pool = @($reports | Where-Object HostName -eq 'pool.mailtls.test')
        $pool.Count | Should -Be 3
        ($pool.IPAddress | Sort-Object) | Should -Be @('::1', $Good, $State.cases.expired)
        ($pool | Where-Object IPAddress -eq '::1').Verdict.ToString() | Should -Be 'Pass'
        ($pool | Where-Object IPAddress -eq $Good).Verdict.ToString() | Should -Be 'Pass'
        ($pool | Where-Object IPAddress -eq $State.cases.expired).Verdict.ToString() | Should -Be 'Fail'
        $missing = $reports | Where-Object HostName -eq 'nosuch.mailtls.test'
        $missing.Verdict.ToString() | Should -Be 'Error'
        $missing.Findings.Name | Should -Be 'NameNotResolved'
    }
}

Describe 'Test-MailEndpoint bad input' {
    It 'writes <ErrorId> (<Category>) for <Value>, names it as the target, and goes on' -ForEach @(
        @{ Value = 'bad host!'; ErrorId = 'HostNameInvalid'; Category = 'InvalidArgument'; Extra = @{} }
        @{ Value = '127.0.0.1:0'; ErrorId = 'PortOutOfRange'; Category = 'InvalidArgument'; Extra = @{} }
        @{ Value = '127.0.0.1:70000'; ErrorId = 'PortOutOfRange'; Category = 'InvalidArgument'; Extra = @{} }
        @{ Value = 'imaps://127.0.0.1'; ErrorId = 'SecurityConflictsWithUri'; Category = 'InvalidArgument'; Extra = @{ Security = 'StartTls' } }
        @{ Value = '127.0.0.1:2525'; ErrorId = 'ProtocolUnknown'; Category = 'InvalidArgument'; Extra = @{} }
        @{ Value = '[::1'; ErrorId = 'HostNameInvalid'; Category = 'InvalidArgument'; Extra = @{} }
    ) {
        $reports = $Value, 'smtp://127.0.0.1:1' | Test-MailEndpoint @Extra -ErrorVariable errors -ErrorAction SilentlyContinue -TimeoutSeconds 2
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be "$ErrorId,$CommandName"
        $errors[0].CategoryInfo.Category | Should -Be $Category
        $errors[0].TargetObject | Should -Be $Value
        $errors[0].Exception.Message | Should -Not -BeNullOrEmpty
        # The next pipeline item still ran (a refused port: a report with Verdict Error).
        @($reports).Count | Should -Be 1
        $reports.Verdict | Should -Be 'Error'
    }

    It 'stops at a -DnsServer that is not an address (DnsServerInvalid)' {
        { Test-MailEndpoint 'smtp://127.0.0.1:1' -DnsServer 'dns.example.com' -ErrorAction Stop } | Should -Throw -ErrorId "DnsServerInvalid,$CommandName"
    }

    It 'writes TrustedRootCertificateNotFound for a missing certificate file and still probes' {
        $missing = Join-Path $TestDrive 'nope.pem'
        $report = Test-MailEndpoint '127.0.0.1:1' -Protocol Smtp -TrustedRootCertificate $missing -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "TrustedRootCertificateNotFound,$CommandName"
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errors[0].TargetObject | Should -Be $missing
        $report.Verdict | Should -Be 'Error'
    }

    It 'infers what blank CSV cells leave out, as on the command line' -Skip:(-not $HaveServers) {
        $csv = Join-Path $TestDrive 'blanks.csv'
        "HostName,Port,Protocol,Security,ServerName`n$($Good),$($State.ports.submission),Smtp,,`nimaps://$($Good):$($State.ports.imaps),,,," | Set-Content $csv
        $reports = Import-Csv $csv | Test-MailEndpoint -TrustedRootCertificate $Root -ErrorVariable errors | Sort-Object Port
        $errors | Should -BeNullOrEmpty
        $reports.Count | Should -Be 2
        $reports[0].Security | Should -Be 'StartTls'
        $reports[1].Protocol | Should -Be 'Imap'
        $reports[1].Security | Should -Be 'Implicit'
        $reports.Verdict | Should -Be @('Pass', 'Pass')
    }

    It 'writes ServerNameInvalid for a -ServerName that is not a host name' {
        $null = Test-MailEndpoint 'smtp://127.0.0.1:1' -ServerName 'mail server!' -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "ServerNameInvalid,$CommandName"
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].TargetObject | Should -Be 'mail server!'
    }

    It 'writes TrustedRootCertificateUnreadable for a path that cannot be read as a file' {
        $folder = Join-Path $TestDrive 'a-folder.pem'
        $null = New-Item -ItemType Directory -Path $folder
        $null = Test-MailEndpoint 'smtp://127.0.0.1:1' -TrustedRootCertificate $folder -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "TrustedRootCertificateUnreadable,$CommandName"
        $errors[0].CategoryInfo.Category | Should -Be 'ReadError'
        $errors[0].TargetObject | Should -Be $folder
    }

    It 'writes TrustedRootCertificateInvalid for a file that is not a certificate' {
        $notCert = Join-Path $TestDrive 'notes.txt'
        'not a certificate' | Set-Content $notCert
        $null = Test-MailEndpoint '127.0.0.1:1' -Protocol Smtp -TrustedRootCertificate $notCert -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "TrustedRootCertificateInvalid,$CommandName"
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errors[0].TargetObject | Should -Be $notCert
    }
}
