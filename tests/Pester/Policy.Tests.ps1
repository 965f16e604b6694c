BeforeDiscovery {
    $script:HaveServers = [bool]$env:MAILTLS_STATE
}

BeforeAll {
    Import-Module $env:MAILTLS_MODULE -Force
    . (Join-Path $PSScriptRoot '../TestServers/TestServers.ps1')
    $script:State = Get-MailTlsTestState
    $script:CommandName = 'MailTls.PowerShell.Commands.TestMailEndpointCommand'
    if ($State) {
        $script:Root = $State.root
        $script:Imaps = $State.ports.imaps
        $script:Good = $State.cases.good
    }
}

Describe 'Test-MailEndpoint -Policy as data' -Skip:(-not $HaveServers) {
    It 'takes a .psd1 file: days to expiry, severity overrides and the policy name on each report' {
        $path = Join-Path $TestDrive 'renewals.psd1'
        "@{ MinimumDaysToExpiry = 400; SeverityOverrides = @{ NameMismatch = 'Warning' } }" | Set-Content $path
        $good = Test-MailEndpoint "$($Good):$Imaps" -Protocol Imap -Security Implicit -TrustedRootCertificate $Root -Policy $path
        $good.Policy | Should -Be 'renewals'
        $good.FindingIds | Should -Be 'MTLS052'
        $good.Verdict | Should -Be 'Warn'
        ($good.Findings | Where-Object Id -EQ 'MTLS052').Message | Should -Match 'minimum: 400 days'
        $wrong = Test-MailEndpoint "$($State.cases.wrongname):$Imaps" -Protocol Imap -Security Implicit -TrustedRootCertificate $Root -Policy $path
        ($wrong.Findings | Where-Object Name -EQ 'NameMismatch').Severity | Should -Be 'Warning'
    }

    It 'lets a policy accept what Baseline warns about (expiring soon, at 0 days)' {
        $soon = "$($State.cases.expiringsoon):$Imaps"
        (Test-MailEndpoint $soon -Protocol Imap -Security Implicit -TrustedRootCertificate $Root).Verdict | Should -Be 'Warn'
        (Test-MailEndpoint $soon -Protocol Imap -Security Implicit -TrustedRootCertificate $Root -Policy @{ MinimumDaysToExpiry = 0 }).Verdict | Should -Be 'Pass'
    }

    It 'takes a JSON file: a minimum of TLS 1.3 fails a server that still accepts TLS 1.2' {
        $path = Join-Path $TestDrive 'tls13.json'
        '{ "Name": "TLS 1.3 only", "MinimumTlsVersion": "1.3" }' | Set-Content $path
        $report = Test-MailEndpoint "$($Good):$Imaps" -Protocol Imap -Security Implicit -TrustedRootCertificate $Root -IncludeTlsVersions -Policy $path
        $report.Policy | Should -Be 'TLS 1.3 only'
        $report.FindingIds | Should -Be 'MTLS042'
        ($report.Findings | Where-Object Id -EQ 'MTLS042').Message | Should -Match 'Accepted: TLS 1.2'
        $only13 = Test-MailEndpoint "$($State.cases.tls13only):$($State.ports.submission)" -Protocol Smtp -Security StartTls -TrustedRootCertificate $Root -IncludeTlsVersions -Policy $path
        $only13.Verdict | Should -Be 'Pass'
    }

    It 'fails a security mode the policy does not allow on that protocol and port, and allows the rest' {
        $policy = @{ AllowedSecurity = @{ Imap = 'Implicit'; 'Smtp:587' = 'StartTls' } }
        $startTls = Test-MailEndpoint "$($Good):$($State.ports.imap)" -Protocol Imap -Security StartTls -TrustedRootCertificate $Root -Policy $policy
        $startTls.Verdict | Should -Be 'Fail'
        $startTls.FindingIds | Should -Be 'MTLS029'
        ($startTls.Findings | Where-Object Id -EQ 'MTLS029').Message | Should -Match 'allows: Implicit'
        (Test-MailEndpoint "$($Good):$Imaps" -Protocol Imap -Security Implicit -TrustedRootCertificate $Root -Policy $policy).Verdict | Should -Be 'Pass'
    }

    It 'fails plaintext login before TLS when the policy forbids it, and accepts it when the policy allows it' {
        $target = "$($State.cases.plaintextlogin):$($State.ports.imap)"
        (Test-MailEndpoint $target -Protocol Imap -Security StartTls -TrustedRootCertificate $Root).Verdict | Should -Be 'Warn'
        (Test-MailEndpoint $target -Protocol Imap -Security StartTls -TrustedRootCertificate $Root -Policy @{ AllowPlaintextLoginBeforeTls = $false }).Verdict | Should -Be 'Fail'
        (Test-MailEndpoint $target -Protocol Imap -Security StartTls -TrustedRootCertificate $Root -Policy @{ AllowPlaintextLoginBeforeTls = $true }).Verdict | Should -Be 'Pass'
    }

    It 'requires the system store when told to: a root given on the command line no longer counts' {
        $report = Test-MailEndpoint "$($Good):$Imaps" -Protocol Imap -Security Implicit -TrustedRootCertificate $Root -Policy @{ RequiredTrust = 'System' }
        $report.ChainTrusted | Should -BeFalse
        $report.FindingIds | Should -Be 'MTLS054'
    }

    It 'trusts the policy''s own roots (relative to its file), and only them with RequiredTrust = TrustedRoots' {
        Copy-Item $Root (Join-Path $TestDrive 'company-root.pem')
        $path = Join-Path $TestDrive 'pinned.psd1'
        "@{ RequiredTrust = 'TrustedRoots'; TrustedRootCertificate = 'company-root.pem' }" | Set-Content $path
        $report = Test-MailEndpoint "$($Good):$Imaps" -Protocol Imap -Security Implicit -Policy $path
        $report.ChainTrusted | Should -BeTrue
        $report.Verdict | Should -Be 'Pass'
        (Test-MailEndpoint "$($State.cases.untrustedroot):$Imaps" -Protocol Imap -Security Implicit -Policy $path).FindingIds | Should -Be 'MTLS054'
    }

    It 'takes Strict and Baseline by name, as before' {
        $target = "$($State.cases.plaintextlogin):$($State.ports.imap)"
        (Test-MailEndpoint $target -Protocol Imap -Security StartTls -TrustedRootCertificate $Root -Policy Strict).Policy | Should -Be 'Strict'
        (Test-MailEndpoint $target -Protocol Imap -Security StartTls -TrustedRootCertificate $Root -Policy strict).Verdict | Should -Be 'Fail'
    }

    It 'judges a port plan by the policy: a mode it does not allow is never recommended' {
        # imap.guessonly.mailtls.test is the standard-ports case (993 and 143), resolved by the test DNS server only.
        $plan = @{ HostName = 'imap.guessonly.mailtls.test'; Protocol = 'Imap'; DnsServer = "$($State.zone.server):53"; TrustedRootCertificate = $Root; TimeoutSeconds = 3 }
        $best = Get-MailPortPlan @plan | Where-Object Recommended
        '{0} {1}' -f $best.Port, $best.Security | Should -Be '993 Implicit'
        $best = Get-MailPortPlan @plan -Policy @{ AllowedSecurity = @{ Imap = 'StartTls' } } | Where-Object Recommended
        '{0} {1}' -f $best.Port, $best.Security | Should -Be '143 StartTls'
    }
}

Describe 'A bad -Policy stops the command before anything is probed, naming the file and field' {
    It 'names the field of <Case>' -ForEach @(
        @{ Case = 'a typo in a field name'; Text = "@{ MinimumTlsVersoin = '1.2' }"; Field = 'MinimumTlsVersoin' }
        @{ Case = 'a bad TLS version'; Text = "@{ MinimumTlsVersion = '1.4' }"; Field = 'MinimumTlsVersion' }
        @{ Case = 'a bad mode in AllowedSecurity'; Text = "@{ AllowedSecurity = @{ Imap = 'SSL' } }"; Field = 'AllowedSecurity.Imap' }
        @{ Case = 'an unknown finding'; Text = "@{ SeverityOverrides = @{ MTLS999 = 'Info' } }"; Field = 'SeverityOverrides.MTLS999' }
        @{ Case = 'a missing root file'; Text = "@{ TrustedRootCertificate = 'nowhere.pem' }"; Field = 'TrustedRootCertificate' }
    ) {
        $path = Join-Path $TestDrive 'bad.psd1'
        $Text | Set-Content $path
        $failure = { Test-MailEndpoint 127.0.0.1:1 -Protocol Smtp -Policy $path } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be "PolicyFieldInvalid,$CommandName"
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failure.TargetObject | Should -Be $path
        $failure.ErrorDetails.Message | Should -Match ([regex]::Escape("field $Field"))
        $failure.ErrorDetails.Message | Should -Match ([regex]::Escape($path))
    }

    It 'writes <ErrorId> for <Case>' -ForEach @(
        @{ Case = 'a file that does not exist'; Name = 'missing.psd1'; Text = $null; ErrorId = 'PolicyNotFound'; Category = 'ObjectNotFound' }
        @{ Case = 'a name that is neither built in nor a policy file'; Name = 'Lenient'; Text = $null; ErrorId = 'PolicyNotFound'; Category = 'ObjectNotFound' }
        @{ Case = 'a .psd1 that runs a command'; Name = 'code.psd1'; Text = '@{ MinimumDaysToExpiry = $(Get-Date).Day }'; ErrorId = 'PolicyUnreadable'; Category = 'InvalidData' }
        @{ Case = 'a .psd1 that is not PowerShell'; Name = 'broken.psd1'; Text = '@{ MinimumDaysToExpiry = '; ErrorId = 'PolicyUnreadable'; Category = 'InvalidData' }
        @{ Case = 'a JSON file that is not JSON'; Name = 'broken.json'; Text = '{ "MinimumTlsVersion": '; ErrorId = 'PolicyUnreadable'; Category = 'InvalidData' }
    ) {
        $path = Join-Path $TestDrive $Name
        if ($Text) { $Text | Set-Content $path }
        $argument = if ($Name -like '*.*') { $path } else { $Name }
        $failure = { Test-MailEndpoint 127.0.0.1:1 -Protocol Smtp -Policy $argument } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be "$ErrorId,$CommandName"
        $failure.CategoryInfo.Category | Should -Be $Category
        $failure.ErrorDetails.Message | Should -Not -BeNullOrEmpty
    }

    It 'refuses RequiredTrust = TrustedRoots with no roots at all (PolicyRootsMissing)' {
        $failure = { Test-MailEndpoint 127.0.0.1:1 -Protocol Smtp -Policy @{ RequiredTrust = 'TrustedRoots' } } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be "PolicyRootsMissing,$CommandName"
        $failure.ErrorDetails.Message | Should -Match 'TrustedRootCertificate'
    }

    It 'stops Get-MailPortPlan the same way' {
        $failure = { Get-MailPortPlan -Domain example.test -Offline -Policy @{ MinimumTlsVersion = 'SSLv3' } } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be 'PolicyFieldInvalid,MailTls.PowerShell.Commands.GetMailPortPlanCommand'
    }
}
