BeforeDiscovery {
    $script:HaveServers = [bool]$env:MAILTLS_STATE
}

BeforeAll {
    $script:ModulePath = $env:MAILTLS_MODULE
    Import-Module $ModulePath -Force
    . (Join-Path $PSScriptRoot '../TestServers/TestServers.ps1')
    $script:State = Get-MailTlsTestState
    $script:CommandName = 'MailTls.PowerShell.Commands.CompareMailTlsReportCommand'
    if ($State) {
        $script:Root = $State.root
        # Every case's IMAPS and POP3S: some thirty endpoints of every verdict.
        $script:Fleet = foreach ($address in $State.cases.PSObject.Properties.Value) {
            [pscustomobject]@{ HostName = $address; Port = $State.ports.imaps; Protocol = 'Imap'; Security = 'Implicit' }
            [pscustomobject]@{ HostName = $address; Port = $State.ports.pop3s; Protocol = 'Pop3'; Security = 'Implicit' }
        }
    }
}

Describe 'Compare-MailTlsReport on two real runs, with a server changed in between' -Skip:(-not $HaveServers) {
    BeforeAll {
        # The drift case's Dovecot gets a renewed, short-lived certificate between the runs (and its first one back after).
        $script:Drift = $State.drift
        $script:Saved = Join-Path $TestDrive 'saved'
        New-Item -ItemType Directory $Saved | Out-Null
        Copy-Item $Drift.chain, $Drift.key $Saved
        function script:Invoke-DriftReload {
            & doveadm -c $Drift.config reload
            # Reload hands new connections to new login processes: wait until they serve what is on disk.
            $want = (Get-Content $Drift.chain -Raw)
            $expected = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem($want).Thumbprint
            foreach ($attempt in 1..50) {
                if ((Test-MailEndpoint "$($State.cases.drift):$($State.ports.imaps)" -Protocol Imap -Security Implicit -TrustedRootCertificate $Root).Thumbprint -eq $expected) { return }
                Start-Sleep -Milliseconds 100
            }
            throw "Dovecot did not serve the new certificate after its reload."
        }
        $targets = "$($State.cases.drift):$($State.ports.imaps)", "$($State.cases.good):$($State.ports.imaps)", "$($State.cases.expired):$($State.ports.imaps)"
        $script:Before = Join-Path $TestDrive 'before.json'
        $targets | Test-MailEndpoint -Protocol Imap -Security Implicit -TrustedRootCertificate $Root | Export-MailTlsReport $Before
        Copy-Item $Drift.renewalChain $Drift.chain -Force
        Copy-Item $Drift.renewalKey $Drift.key -Force
        Invoke-DriftReload
        # This run also drops the expired server and adds the good one's POP3S.
        $script:After = $targets[0, 1] + "$($State.cases.good):$($State.ports.pop3s)" |
            Test-MailEndpoint -Protocol Imap -Security Implicit -TrustedRootCertificate $Root
        $script:Changes = $After | Compare-MailTlsReport -ReferencePath $Before
    }

    AfterAll {
        Copy-Item (Join-Path $Saved (Split-Path $Drift.chain -Leaf)) $Drift.chain -Force
        Copy-Item (Join-Path $Saved (Split-Path $Drift.key -Leaf)) $Drift.key -Force
        Invoke-DriftReload
    }

    It 'names the changed server with what changed: verdict, certificate, expiry and the new finding' {
        $drift = $Changes | Where-Object HostName -EQ $State.cases.drift
        $drift | Should -BeOfType ([MailTls.ReportChange])
        $drift.Change | Should -Be 'Changed'
        '{0} -> {1}' -f $drift.VerdictBefore, $drift.VerdictAfter | Should -Be 'Pass -> Warn'
        $drift.Worse | Should -BeTrue
        $drift.Differences.Property | Should -Be @('Verdict', 'Thumbprint', 'NotAfter', 'FindingIds')
        ($drift.Differences | Where-Object Property -EQ 'Thumbprint').After | Should -Be ($After | Where-Object HostName -EQ $State.cases.drift).Thumbprint
        $drift.NewFindings | Should -Be 'MTLS052'
        $drift.ResolvedFindings | Should -BeNullOrEmpty
    }

    It 'leaves out what did not change, unless -IncludeEqual' {
        $Changes | Where-Object HostName -EQ $State.cases.good | Where-Object Port -EQ $State.ports.imaps | Should -BeNullOrEmpty
        $all = $After | Compare-MailTlsReport -ReferencePath $Before -IncludeEqual
        ($all | Where-Object { $_.HostName -eq $State.cases.good -and $_.Port -eq $State.ports.imaps }).Change | Should -Be 'Unchanged'
    }

    It 'lists endpoints added and removed since the reference' {
        ($Changes | Where-Object Change -EQ 'Added') | ForEach-Object { '{0}:{1}' -f $_.HostName, $_.Port } | Should -Be "$($State.cases.good):$($State.ports.pop3s)"
        $removed = $Changes | Where-Object Change -EQ 'Removed'
        $removed.HostName | Should -Be $State.cases.expired
        $removed.ResolvedFindings | Should -Be 'MTLS050'
    }

    It 'compares objects as well as files, live or deserialized (CliXml), with the same result' {
        $xml = Join-Path $TestDrive 'after.xml'
        $After | Export-Clixml $xml
        $fromFiles = Compare-MailTlsReport -ReferencePath $Before -DifferencePath ($After | Export-MailTlsReport (Join-Path $TestDrive 'after.jsonl') -PassThru)
        $fromObjects = Import-Clixml $xml | Compare-MailTlsReport -ReferenceObject (Get-Content $Before -Raw | ConvertFrom-Json)
        foreach ($result in $fromFiles, $fromObjects) {
            ($result | ForEach-Object { '{0}:{1} {2} {3}' -f $_.HostName, $_.Port, $_.Change, $_.ChangedProperties } | Sort-Object) |
                Should -Be ($Changes | ForEach-Object { '{0}:{1} {2} {3}' -f $_.HostName, $_.Port, $_.Change, $_.ChangedProperties } | Sort-Object)
        }
    }

    It 'shows the default table view' {
        $header = (($Changes | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() })[0]
        ($header -split '\s+' | Where-Object { $_ }) | Should -Be @('HostName', 'Port', 'Protocol', 'Change', 'Verdict', 'ChangedProperties', 'NewFindings')
    }
}

Describe 'Compare-MailTlsReport bad input' {
    It 'stops with <ErrorId> for <Case>' -ForEach @(
        @{ Case = 'a reference that does not exist'; Text = $null; ErrorId = 'ReferenceNotFound'; Category = 'ObjectNotFound' }
        @{ Case = 'a reference that is not JSON'; Text = 'HostName,Port'; ErrorId = 'ReferenceUnreadable'; Category = 'InvalidData' }
        @{ Case = 'a JSON file that holds no reports'; Text = '[ { "Name": "x" } ]'; ErrorId = 'ReferenceUnreadable'; Category = 'InvalidData' }
    ) {
        $path = Join-Path $TestDrive 'reference.json'
        Remove-Item $path -ErrorAction Ignore
        if ($Text) { $Text | Set-Content $path }
        $failure = { Compare-MailTlsReport -ReferencePath $path -DifferencePath $path } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be "$ErrorId,$CommandName"
        $failure.CategoryInfo.Category | Should -Be $Category
        $failure.TargetObject | Should -Be $path
    }

    It 'warns when no report of this run came in, instead of listing the reference as quietly Removed' {
        $reference = [pscustomobject]@{ HostName = 'a.mailtls.test'; Port = 993; Protocol = 'Imap'; Security = 'Implicit'; Verdict = 'Pass' }
        $result = @() | Compare-MailTlsReport -ReferenceObject $reference -WarningVariable warned -WarningAction SilentlyContinue
        $warned[0].Message | Should -Match 'No report of this run came in'
        $result.Change | Should -Be 'Removed'
    }

    It 'does not count a policy missing from an older reference as a change' {
        # Reports written before policies were recorded have no Policy; today's say Baseline.
        $old = [pscustomobject]@{ HostName = 'a.mailtls.test'; Port = 993; Protocol = 'Imap'; Security = 'Implicit'; Verdict = 'Pass'; TlsVersion = 'TLS 1.3' }
        $new = [pscustomobject]@{ HostName = 'a.mailtls.test'; Port = 993; Protocol = 'Imap'; Security = 'Implicit'; Verdict = 'Pass'; TlsVersion = 'TLS 1.3'; Policy = 'Baseline' }
        ($new | Compare-MailTlsReport -ReferenceObject $old -IncludeEqual).Change | Should -Be 'Unchanged'
        $strict = [pscustomobject]@{ HostName = 'a.mailtls.test'; Port = 993; Protocol = 'Imap'; Security = 'Implicit'; Verdict = 'Pass'; TlsVersion = 'TLS 1.3'; Policy = 'Strict' }
        ($strict | Compare-MailTlsReport -ReferenceObject $new).ChangedProperties | Should -Be 'Policy'
    }

    It 'stops at a bad line of a JSON lines file, naming the line' {
        $path = Join-Path $TestDrive 'run.jsonl'
        '{"HostName":"a.mailtls.test","Port":993,"Protocol":"Imap","Security":"Implicit","Verdict":"Pass"}', 'not json' | Set-Content $path
        $reference = [pscustomobject]@{ HostName = 'b.mailtls.test'; Port = 993; Protocol = 'Imap'; Security = 'Implicit'; Verdict = 'Pass' }
        $failure = { Compare-MailTlsReport -ReferenceObject $reference -DifferencePath $path } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be "DifferenceUnreadable,$CommandName"
        $failure.ErrorDetails.Message | Should -Match 'Line 2 of'
    }

    It 'reports input that is not a report (InputNotReport) and compares the rest' {
        $reference = [pscustomobject]@{ HostName = 'a.mailtls.test'; Port = 993; Protocol = 'Imap'; Security = 'Implicit'; Verdict = 'Pass' }
        $changed = [pscustomobject]@{ HostName = 'a.mailtls.test'; Port = 993; Protocol = 'Imap'; Security = 'Implicit'; Verdict = 'Fail' }
        $result = 'not a report', $changed | Compare-MailTlsReport -ReferenceObject $reference -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -Be "InputNotReport,$CommandName"
        $result.ChangedProperties | Should -Be 'Verdict'
    }
}

Describe 'Fleets beyond one machine: shards and JSON lines' -Skip:(-not $HaveServers) {
    It 'splits a fleet into disjoint shares that together cover it, and their JSON lines merge into one report' {
        $all = $Fleet | Test-MailEndpoint -TrustedRootCertificate $Root -TimeoutSeconds 5
        $shares = foreach ($i in 1..3) {
            $file = Join-Path $TestDrive "share-$i.jsonl"
            $Fleet | Test-MailEndpoint -Shard "$i/3" -TrustedRootCertificate $Root -TimeoutSeconds 5 | Export-MailTlsReport $file
            , @(Get-Content $file | ForEach-Object { $_ | ConvertFrom-Json })
        }
        $keys = { '{0}:{1}' -f $_.HostName, $_.Port }
        $shares | ForEach-Object { $_.Count | Should -BeGreaterThan 0 }
        $merged = @($shares[0]) + $shares[1] + $shares[2]
        ($merged | ForEach-Object $keys | Sort-Object -Unique).Count | Should -Be $merged.Count   # disjoint
        ($merged | ForEach-Object $keys | Sort-Object) | Should -Be ($all | ForEach-Object $keys | Sort-Object)   # complete
        # The lines concatenate into one file that the other formats take as deserialized reports.
        $joined = Join-Path $TestDrive 'fleet.jsonl'
        Get-Content (Join-Path $TestDrive 'share-*.jsonl') | Set-Content $joined
        $report = Join-Path $TestDrive 'fleet.csv'
        Get-Content $joined | ForEach-Object { $_ | ConvertFrom-Json } | Export-MailTlsReport $report
        (Import-Csv $report).Count | Should -Be $all.Count
        (Compare-MailTlsReport -ReferencePath $joined -DifferencePath $joined -IncludeEqual).Change | Sort-Object -Unique | Should -Be 'Unchanged'
    }

    It 'gives the same share for the same item whatever the order of the input' {
        $forward = $Fleet | Test-MailEndpoint -Shard 2/3 -TrustedRootCertificate $Root -TimeoutSeconds 5 | ForEach-Object { '{0}:{1}' -f $_.HostName, $_.Port }
        [array]::Reverse($Fleet)
        $backward = $Fleet | Test-MailEndpoint -Shard 2/3 -TrustedRootCertificate $Root -TimeoutSeconds 5 | ForEach-Object { '{0}:{1}' -f $_.HostName, $_.Port }
        ($backward | Sort-Object) | Should -Be ($forward | Sort-Object)
    }

    It 'stops at a share that is not i/n (ShardInvalid)' -ForEach @('0/3', '4/3', 'two', '1/0') {
        $failure = { Test-MailEndpoint 127.0.0.1:1 -Protocol Smtp -Shard $_ } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be 'ShardInvalid,MailTls.PowerShell.Commands.TestMailEndpointCommand'
    }

    It 'shows progress as done of total with a time left when the hosts are given as an argument' {
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($module, $hosts, $root)
                Import-Module $module
                Test-MailEndpoint -HostName $hosts -Protocol Imap -Security Implicit -TrustedRootCertificate $root
            }).AddArgument($ModulePath).AddArgument([string[]]($State.cases.PSObject.Properties.Value | ForEach-Object { "$($_):$($State.ports.imaps)" })).AddArgument($Root)
        $reports = $ps.Invoke()
        $progress = @($ps.Streams.Progress | Where-Object RecordType -EQ 'Processing')
        $ps.Dispose()
        $total = $State.cases.PSObject.Properties.Value.Count
        $reports.Count | Should -Be $total
        $progress[-1].StatusDescription | Should -Match "^$total of $total probed"
        $progress[-1].PercentComplete | Should -Be 100
        $progress[0].StatusDescription | Should -Match "^1 of $total probed"
        $progress[0].SecondsRemaining | Should -BeGreaterOrEqual 0
    }
}

Describe 'PowerShell remoting over SSH: probe on another machine, format and filter here' -Skip:(-not $HaveServers -or -not (Test-Path /usr/sbin/sshd) -or -not (Get-Command ssh -ErrorAction Ignore) -or -not $IsLinux -or (& id -u) -ne '0') {
    BeforeAll {
        # A private sshd on loopback: its own host key, one authorized key, and the powershell subsystem running the
        # pinned pwsh. Nothing listens beyond 127.0.0.1, and it goes with the test.
        $ssh = Join-Path $TestDrive 'ssh'
        New-Item -ItemType Directory $ssh | Out-Null
        & ssh-keygen -q -t ed25519 -N '' -f (Join-Path $ssh 'host_key')
        & ssh-keygen -q -t ed25519 -N '' -f (Join-Path $ssh 'client_key')
        Copy-Item (Join-Path $ssh 'client_key.pub') (Join-Path $ssh 'authorized_keys')
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $script:SshPort = $listener.LocalEndpoint.Port; $listener.Stop()
        $pwsh = Join-Path $PSHOME 'pwsh'
        @(
            "Port $SshPort", 'ListenAddress 127.0.0.1', "HostKey $(Join-Path $ssh 'host_key')", "AuthorizedKeysFile $(Join-Path $ssh 'authorized_keys')",
            "PidFile $(Join-Path $ssh 'sshd.pid')", 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes',
            'PermitRootLogin prohibit-password', 'StrictModes no', 'UsePAM no', "Subsystem powershell $pwsh -sshs -NoLogo -NoProfile"
        ) | Set-Content (Join-Path $ssh 'sshd_config')
        New-Item -ItemType Directory -Force /run/sshd | Out-Null
        $script:Sshd = Start-Process /usr/sbin/sshd -ArgumentList '-D', '-e', '-f', (Join-Path $ssh 'sshd_config') -PassThru -RedirectStandardError (Join-Path $ssh 'sshd.log')
        $script:Key = Join-Path $ssh 'client_key'
        foreach ($attempt in 1..50) {
            $client = [System.Net.Sockets.TcpClient]::new()
            try { $client.Connect('127.0.0.1', $SshPort); break } catch { Start-Sleep -Milliseconds 100 } finally { $client.Dispose() }
        }
        $script:Remote = @{ HostName = '127.0.0.1'; Port = $SshPort; UserName = 'root'; KeyFilePath = $Key; Options = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null' } }
        $script:Reports = Invoke-Command @Remote -ScriptBlock {
            param($module, $targets, $root)
            Import-Module $module
            $targets | Test-MailEndpoint -Protocol Imap -Security Implicit -TrustedRootCertificate $root
        } -ArgumentList $ModulePath, @("$($State.cases.good):$($State.ports.imaps)", "$($State.cases.expired):$($State.ports.imaps)", "$($State.cases.wrongname):$($State.ports.imaps)"), $Root
    }

    AfterAll {
        if ($Sshd) { Stop-Process -Id $Sshd.Id -ErrorAction Ignore }
    }

    It 'returns deserialized reports from the remote probe' {
        $Reports.Count | Should -Be 3
        $Reports[0].pstypenames[0] | Should -Be 'Deserialized.MailTls.EndpointReport'
        $Reports.PSComputerName | Sort-Object -Unique | Should -Be '127.0.0.1'
    }

    It 'filters them here by verdict, finding and certificate facts, as flat values' {
        @($Reports | Where-Object Verdict -EQ 'Pass').HostName | Should -Be $State.cases.good
        @($Reports | Where-Object { $_.Findings.Name -contains 'NameMismatch' }).HostName | Should -Be $State.cases.wrongname
        @($Reports | Where-Object DaysToExpiry -LT 0).HostName | Should -Be $State.cases.expired
        ($Reports | Where-Object HostName -EQ $State.cases.good).Thumbprint | Should -Match '^[0-9A-F]{40}$'
    }

    It 'formats them here with the module''s views' {
        $header = (($Reports | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() })[0]
        # PowerShell adds the computer a remote object came from.
        ($header -split '\s+' | Where-Object { $_ }) | Should -Be @('HostName', 'Port', 'Protocol', 'Security', 'TlsVersion', 'ChainTrusted', 'DaysToExpiry', 'Verdict', 'PSComputerName')
        ($Reports | Where-Object Verdict -EQ 'Fail' | Format-List | Out-String) | Should -Match 'Remediation\s+: MTLS0\d\d: '
    }

    It 'exports and compares them here like live reports' {
        $file = Join-Path $TestDrive 'remote.json'
        $Reports | Export-MailTlsReport $file
        (Get-Content $file -Raw | ConvertFrom-Json).Verdict | Sort-Object | Should -Be @('Fail', 'Fail', 'Pass')
        (Compare-MailTlsReport -ReferencePath $file -DifferenceObject $Reports[0] | Where-Object Change -NE 'Removed') | Should -BeNullOrEmpty
    }
}
