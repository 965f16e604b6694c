BeforeDiscovery {
    $script:HaveServers = [bool]$env:MAILTLS_STATE
    $script:IsUnix = -not $IsWindows
    $script:HavePython = [bool](Get-Command python3 -ErrorAction Ignore)
}

BeforeAll {
    $script:ModulePath = $env:MAILTLS_MODULE
    Import-Module $ModulePath -Force
    . (Join-Path $PSScriptRoot '../TestServers/TestServers.ps1')
    $script:State = Get-MailTlsTestState
    $script:Prefix = 'MailTls.PowerShell.Commands.'

    $script:PrefsJs = @'
// Mozilla User Preferences
user_pref("mail.account.account1.identities", "id1");
user_pref("mail.account.account1.server", "server1");
user_pref("mail.accountmanager.accounts", "account1");
user_pref("mail.identity.id1.smtpServer", "smtp1");
user_pref("mail.identity.id1.useremail", "alice@example.com");
user_pref("mail.server.server1.hostname", "imap.example.com");
user_pref("mail.server.server1.port", 143);
user_pref("mail.server.server1.type", "imap");
user_pref("mail.smtpserver.smtp1.hostname", "smtp.example.com");
user_pref("mail.smtpservers", "smtp1");
user_pref("unknown.pref", "kept");
'@

    # A throwaway folder per test with a Thunderbird profile and an msmtp file; nothing in the real home is read.
    function Initialize-ClientFolder {
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $profileDirectory = Join-Path $folder 'profile'
        $null = New-Item -ItemType Directory -Path $profileDirectory
        Set-Content -LiteralPath (Join-Path $profileDirectory 'prefs.js') -Value $PrefsJs -NoNewline
        $msmtp = Join-Path $folder '.msmtprc'
        Set-Content -LiteralPath $msmtp -Value "account work`nhost 127.0.0.11`nport 10025`nfrom alice@mailtls.test`n" -NoNewline
        [pscustomobject]@{ Folder = $folder; Profile = $profileDirectory; Prefs = (Join-Path $profileDirectory 'prefs.js'); Msmtp = $msmtp }
    }

    function Get-FolderHash([string] $Folder) {
        Get-ChildItem -LiteralPath $Folder -Recurse -File -Force | Where-Object { -not $_.LinkType } | Sort-Object FullName | ForEach-Object { "$($_.FullName)=$((Get-FileHash -LiteralPath $_.FullName).Hash)" }
    }
}

Describe 'Get-ClientSsl' {
    It 'lists each server of each account as a typed object with findings' {
        $files = Initialize-ClientFolder
        $accounts = Get-ClientSsl -Path $files.Profile, $files.Msmtp
        $accounts | ForEach-Object { $_ | Should -BeOfType ([MailTls.ClientAccount]) }
        @($accounts | ForEach-Object { '{0} {1} {2} {3}:{4} {5}' -f $_.Client, $_.Role, $_.Protocol, $_.HostName, $_.Port, $_.Security }) |
            Should -Be @('Thunderbird Incoming Imap imap.example.com:143 None', 'Thunderbird Outgoing Smtp smtp.example.com:587 None', 'Msmtp Outgoing Smtp 127.0.0.11:10025 None')
        $accounts[0].Findings.Id | Should -Contain 'MTLS080'
        $accounts[0].Verdict | Should -Be 'Fail'
        $accounts[0].EmailAddress | Should -Be 'alice@example.com'
    }

    It 'shows the table view the issue asks for' {
        $files = Initialize-ClientFolder
        $header = (Get-ClientSsl -Path $files.Msmtp | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_ -match '\S' } | Select-Object -First 1
        ($header -split '\s+' | Where-Object { $_ }) | Should -Be @('Client', 'Account', 'Role', 'Protocol', 'HostName', 'Port', 'Security')
    }

    It 'finds the clients of the home directory, and narrows by client, account and role' {
        $files = Initialize-ClientFolder
        $savedHome = $env:HOME
        try {
            $env:HOME = $files.Folder
            $null = New-Item -ItemType Directory -Path (Join-Path $files.Folder '.thunderbird')
            Move-Item -LiteralPath $files.Profile -Destination (Join-Path $files.Folder '.thunderbird/x.default')
            (Get-ClientSsl).Client | ForEach-Object ToString | Sort-Object -Unique | Should -Be @('Msmtp', 'Thunderbird')
            (Get-ClientSsl -Client Msmtp).Account | Should -Be 'work'
            (Get-ClientSsl -Account 'smtp.*').HostName | Should -Be 'smtp.example.com'
            (Get-ClientSsl -Role Incoming).Protocol | Should -Be 'Imap'
        }
        finally { $env:HOME = $savedHome }
    }

    It 'reports a malformed file, a missing one and a stranger as errors and goes on with the next' {
        $files = Initialize-ClientFolder
        Set-Content -LiteralPath $files.Prefs -Value "user_pref(`"a`", 1);`nuser_pref(`"b`" 2);`n"
        $missing = Join-Path $files.Folder 'nowhere.msmtprc'
        $stranger = Join-Path $files.Folder 'notes.txt'
        Set-Content -LiteralPath $stranger -Value 'hello'
        $accounts = Get-ClientSsl -Path $files.Profile, $missing, $stranger, $files.Msmtp -ErrorVariable errors -ErrorAction SilentlyContinue
        $accounts.Client | Should -Be 'Msmtp'
        $errors.FullyQualifiedErrorId | Should -Be @("ConfigMalformed,$($Prefix)GetClientSslCommand", "ConfigNotFound,$($Prefix)GetClientSslCommand", "ConfigNotRecognized,$($Prefix)GetClientSslCommand")
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errors[0].TargetObject | Should -Be $files.Prefs
        $errors[0].Exception.Message | Should -Match 'line 2'
        $errors[1].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Set-ClientSsl' {
    It 'shows every setting before -> after with -WhatIf and writes nothing' {
        $files = Initialize-ClientFolder
        $before = Get-FolderHash $files.Folder
        $script = Join-Path $TestDrive 'whatif.ps1'
        "Import-Module '$ModulePath'; Get-ClientSsl -Path '$($files.Profile)' | Set-ClientSsl -Security Implicit -WhatIf" | Set-Content $script
        $output = (& dotnet pwsh -NoProfile -File $script) -join "`n"
        $output | Should -Match 'What if: .*mail\.server\.server1\.socketType \(not set\) -> 3; mail\.server\.server1\.port 143 -> 993'
        $output | Should -Match 'What if: .*mail\.smtpserver\.smtp1\.try_ssl \(not set\) -> 3; mail\.smtpserver\.smtp1\.port \(not set\) -> 465'
        Get-FolderHash $files.Folder | Should -Be $before
    }

    It 'switches piped accounts to the mode with its port, never to their current port, and -PassThru says what changed' {
        $files = Initialize-ClientFolder
        $changes = Get-ClientSsl -Path $files.Profile | Set-ClientSsl -Security Implicit -PassThru -Confirm:$false
        $changes | ForEach-Object { $_ | Should -BeOfType ([MailTls.ClientSslChange]) }
        @($changes | ForEach-Object { '{0} {1}->{2}' -f $_.Setting, $_.OldValue, $_.NewValue }) |
            Should -Be @('mail.server.server1.socketType ->3', 'mail.server.server1.port 143->993', 'mail.smtpserver.smtp1.try_ssl ->3', 'mail.smtpserver.smtp1.port ->465')
        Test-Path -LiteralPath $changes[0].BackupPath | Should -BeTrue
        @(Get-ChildItem -LiteralPath $files.Profile -Filter '.prefs.js.*.mailtls-backup' -Force).Count | Should -Be 1
        (Get-Content -Raw $files.Prefs) | Should -Match ([regex]::Escape('user_pref("unknown.pref", "kept");'))
        @(Get-ClientSsl -Path $files.Profile | ForEach-Object { '{0}:{1}' -f $_.Security, $_.Port }) | Should -Be @('Implicit:993', 'Implicit:465')

        # The same command again: nothing to change, no new backup.
        $before = Get-FolderHash $files.Folder
        Get-ClientSsl -Path $files.Profile | Set-ClientSsl -Security Implicit -PassThru -Confirm:$false | Should -BeNullOrEmpty
        Get-FolderHash $files.Folder | Should -Be $before
    }

    It 'selects accounts by client, account and role' {
        $files = Initialize-ClientFolder
        Set-ClientSsl -Path $files.Profile -Client Thunderbird -Role Outgoing -Security StartTls -Confirm:$false
        @(Get-ClientSsl -Path $files.Profile, $files.Msmtp | ForEach-Object { '{0} {1} {2}:{3}' -f $_.Client, $_.Role, $_.Security, $_.Port }) |
            Should -Be @('Thunderbird Incoming None:143', 'Thunderbird Outgoing StartTls:587', 'Msmtp Outgoing None:10025')
        Set-ClientSsl -Path $files.Msmtp -Account 'nobody*' -Security Implicit -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "AccountNotFound,$($Prefix)SetClientSslCommand"
    }

    It 'never takes a piped account''s own port, mode or host as the target' {
        $two = Join-Path (New-Item -ItemType Directory -Path (Join-Path $TestDrive ([guid]::NewGuid().ToString('N')))).FullName '.msmtprc'
        Set-Content -LiteralPath $two -Value "account a`nhost a.example.com`nport 2525`n`naccount b`nhost b.example.com`n"
        $before = Get-FileHash -LiteralPath $two
        # Without -Security, and with a selection parameter the piped accounts cannot go with: refused, nothing written.
        $script = Join-Path $TestDrive 'nosecurity.ps1'
        "Import-Module '$ModulePath'; Get-ClientSsl -Path '$two' -Account a | Set-ClientSsl -Confirm:`$false" | Set-Content $script
        $null = & dotnet pwsh -NoProfile -NonInteractive -File $script 2>&1
        Get-ClientSsl -Path $two -Account a | Set-ClientSsl -Path $two -Security StartTls -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Match '^InputObject(NotBound|MissingMandatory)'
        (Get-FileHash -LiteralPath $two).Hash | Should -Be $before.Hash
        (Get-ClientSsl -Path $two | ForEach-Object { '{0}:{1}' -f $_.HostName, $_.Port }) | Should -Be @('a.example.com:2525', 'b.example.com:25')
    }

    It 'takes entries of a real port plan: the recommended one for the protocol, for the accounts selected' -Skip:(-not $HaveServers) {
        $files = Initialize-ClientFolder
        $plan = Get-MailPortPlan "alice@$($State.zone.domain)" -DnsServer "$($State.zone.server):53" -TrustedRootCertificate $State.root -TimeoutSeconds 3 -WarningAction SilentlyContinue
        $plan | Set-ClientSsl -Path $files.Msmtp -Confirm:$false
        $account = Get-ClientSsl -Path $files.Msmtp
        '{0}:{1} {2}' -f $account.HostName, $account.Port, $account.Security | Should -Be "smtp.$($State.zone.domain):$($State.ports.smtps) Implicit"

        # Without a selection a plan would move every account of its protocols: refused, nothing written.
        $before = Get-FolderHash $files.Folder
        { $plan | Set-ClientSsl -Confirm:$false -ErrorAction Stop } | Should -Throw
        Get-FolderHash $files.Folder | Should -Be $before
    }

    It 'takes plan rows by property name, skipping the ones not recommended' {
        $files = Initialize-ClientFolder
        @(
            [pscustomobject]@{ Protocol = 'Smtp'; HostName = 'smtp.example.net'; Port = 587; Security = 'StartTls'; Recommended = $false }
            [pscustomobject]@{ Protocol = 'Smtp'; HostName = 'smtp.example.net'; Port = 465; Security = 'Implicit'; Recommended = $true }
        ) | Set-ClientSsl -Path $files.Msmtp -Confirm:$false
        $account = Get-ClientSsl -Path $files.Msmtp
        '{0}:{1} {2}' -f $account.HostName, $account.Port, $account.Security | Should -Be 'smtp.example.net:465 Implicit'
    }

    It 'refuses plaintext without -Force and a port of the other mode, as errors naming the account' {
        $files = Initialize-ClientFolder
        Get-ClientSsl -Path $files.Msmtp | Set-ClientSsl -Security None -ErrorVariable plain -ErrorAction SilentlyContinue
        Get-ClientSsl -Path $files.Msmtp | Set-ClientSsl -Security Implicit -Port 587 -ErrorVariable mismatch -ErrorAction SilentlyContinue
        $plain[0].FullyQualifiedErrorId | Should -Be "PlaintextRefused,$($Prefix)SetClientSslCommand"
        $mismatch[0].FullyQualifiedErrorId | Should -Be "PortModeMismatch,$($Prefix)SetClientSslCommand"
        $mismatch[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        (Get-Content -Raw $files.Msmtp) | Should -Be "account work`nhost 127.0.0.11`nport 10025`nfrom alice@mailtls.test`n"
    }

    It 'refuses a read-only file and a profile open in Thunderbird, and goes on with the next account' -Skip:(-not $IsUnix) {
        $files = Initialize-ClientFolder
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $files.Profile 'lock') -Target "127.0.0.1:+$PID"
        chmod 444 $files.Msmtp
        $before = Get-FolderHash $files.Folder
        $changes = Get-ClientSsl -Path $files.Profile, $files.Msmtp | Set-ClientSsl -Security Implicit -Port 10465 -Confirm:$false -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
        $changes | Should -BeNullOrEmpty
        $errors.FullyQualifiedErrorId | Should -Contain "ProfileLocked,$($Prefix)SetClientSslCommand"
        ($errors | Where-Object FullyQualifiedErrorId -like 'ConfigReadOnly*').CategoryInfo.Category | Should -Be 'PermissionDenied'
        ($errors | Where-Object FullyQualifiedErrorId -like 'ConfigReadOnly*').TargetObject | Should -Be $files.Msmtp
        Get-FolderHash $files.Folder | Should -Be $before
    }

    It 'probes the new endpoint with -Verify and refuses one that fails' -Skip:(-not $HaveServers) {
        $files = Initialize-ClientFolder
        $account = Get-ClientSsl -Path $files.Msmtp
        $account | Set-ClientSsl -Security Implicit -Port 10466 -Verify -TimeoutSeconds 2 -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "EndpointVerifyFailed,$($Prefix)SetClientSslCommand"
        $errors[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        (Get-ClientSsl -Path $files.Msmtp).Port | Should -Be 10025

        $account | Set-ClientSsl -Security Implicit -Port $State.ports.smtps -Verify -TrustedRootCertificate $State.root -Confirm:$false
        $switched = Get-ClientSsl -Path $files.Msmtp
        '{0}:{1}' -f $switched.Security, $switched.Port | Should -Be "Implicit:$($State.ports.smtps)"
        # The account pipes into Test-MailEndpoint by property name.
        ($switched | Test-MailEndpoint -TrustedRootCertificate $State.root -TimeoutSeconds 5).Verdict | Should -Be 'Pass'
    }
}

Describe 'Set-ClientSsl -SettingsPath (an application''s "Use SSL / Use StartTls / Port" settings)' {
    It 'switches mode and port together in a JSON file, keeping its types, and shows it first with -WhatIf' {
        $file = Join-Path $TestDrive 'station.json'
        $json = "{`n  `"EmailService`": { `"OutgoingAccount`": { `"UseSsl`": false, `"UseStartTls`": false, `"Port`": 25, `"Host`": `"smtp.example.com`" } }`n}`n"
        Set-Content -LiteralPath $file -Value $json -NoNewline
        $map = @{ UseSsl = 'EmailService.OutgoingAccount.UseSsl'; UseStartTls = 'EmailService.OutgoingAccount.UseStartTls'; Port = 'EmailService.OutgoingAccount.Port' }
        $script = Join-Path $TestDrive 'settings-whatif.ps1'
        "Import-Module '$ModulePath'; Set-ClientSsl -SettingsPath '$file' -Map @{ UseSsl = 'EmailService.OutgoingAccount.UseSsl'; UseStartTls = 'EmailService.OutgoingAccount.UseStartTls'; Port = 'EmailService.OutgoingAccount.Port' } -Protocol Smtp -Security Implicit -WhatIf" | Set-Content $script
        $output = (& dotnet pwsh -NoProfile -File $script) -join "`n"
        $output | Should -Match 'EmailService\.OutgoingAccount\.UseSsl false -> true; EmailService\.OutgoingAccount\.Port 25 -> 465'
        (Get-Content -Raw -LiteralPath $file) | Should -Be $json

        $changes = Set-ClientSsl -SettingsPath $file -Map $map -Protocol Smtp -Security Implicit -Confirm:$false -PassThru
        $changes.Client | Should -Be @('Settings', 'Settings')
        (Get-Content -Raw -LiteralPath $file) | Should -Be ($json.Replace('"UseSsl": false', '"UseSsl": true').Replace('"Port": 25', '"Port": 465'))
        Set-ClientSsl -SettingsPath $file -Map $map -Protocol Smtp -Security Implicit -Confirm:$false -PassThru | Should -BeNullOrEmpty
    }

    It 'refuses a map that gives two settings one key, as an error naming the file' {
        $file = Join-Path $TestDrive 'app.json'
        Set-Content -LiteralPath $file -Value '{"UseSsl": false, "Port": 25}'
        Set-ClientSsl -SettingsPath $file -Map @{ UseSsl = 'UseSsl'; UseStartTls = 'UseSsl'; Port = 'Port' } -Protocol Smtp -Security Implicit -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "MapInvalid,$($Prefix)SetClientSslCommand"
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].TargetObject | Should -Be $file
        (Get-Content -Raw -LiteralPath $file).Trim() | Should -Be '{"UseSsl": false, "Port": 25}'
    }
}

Describe 'Set-ClientSsl -Client AppleMail -OutFile (a configuration profile for Apple Mail)' {
    It 'writes a profile a plist parser reads, only after -WhatIf says so, and the same again changes nothing' -Skip:(-not $HavePython) {
        $file = Join-Path $TestDrive 'alice.mobileconfig'
        Set-ClientSsl -Client AppleMail -EmailAddress alice@example.com -HostName mail.example.com -Protocol Imap -Security Implicit -OutFile $file -WhatIf
        Test-Path -LiteralPath $file | Should -BeFalse

        $written = Set-ClientSsl -Client AppleMail -EmailAddress alice@example.com -HostName mail.example.com -Protocol Imap -Security Implicit -OutFile $file -Confirm:$false -PassThru
        $written.FullName | Should -Be $file
        $read = & python3 -c "import plistlib,sys; p=plistlib.load(open(sys.argv[1],'rb')); c=p['PayloadContent'][0]; print(c['PayloadType'], c['IncomingMailServerPortNumber'], c['IncomingMailServerUseSSL'], c['OutgoingMailServerPortNumber'])" $file
        $read | Should -Be 'com.apple.mail.managed 993 True 465'

        $before = Get-FileHash -LiteralPath $file
        Set-ClientSsl -Client AppleMail -EmailAddress alice@example.com -HostName mail.example.com -Protocol Imap -Security Implicit -OutFile $file -Confirm:$false
        (Get-FileHash -LiteralPath $file).Hash | Should -Be $before.Hash
        @(Get-ChildItem -LiteralPath $TestDrive -Filter '*.mailtls-backup' -Force).Count | Should -Be 0
    }

    It 'refuses a port of the other mode and a client that is not Apple Mail' {
        $file = Join-Path $TestDrive 'bob.mobileconfig'
        Set-ClientSsl -Client AppleMail -EmailAddress bob@example.com -HostName mail.example.com -Protocol Imap -Security Implicit -Port 143 -OutFile $file -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "PortModeMismatch,$($Prefix)SetClientSslCommand"
        Test-Path -LiteralPath $file | Should -BeFalse
        { Set-ClientSsl -Client Thunderbird -EmailAddress bob@example.com -HostName mail.example.com -Protocol Imap -Security Implicit -OutFile $file -Confirm:$false } |
            Should -Throw -ErrorId "OutFileNeedsAppleMail,$($Prefix)SetClientSslCommand"
    }
}

Describe 'Set-ClientSsl for the Mac clients with database stores (guidance)' {
    It 'gives the steps and values, writes nothing, and shows them numbered' {
        $before = Get-ChildItem -LiteralPath $TestDrive -Recurse -Force | Measure-Object
        $guidance = Set-ClientSsl -Client Entourage, EudoraMac -Protocol Imap -Security Implicit -HostName mail.example.com
        $guidance | ForEach-Object { $_ | Should -BeOfType ([MailTls.ClientSslGuidance]) }
        $guidance.Client | Should -Be @('Entourage', 'EudoraMac')
        $guidance[0].Steps | Should -Contain 'Select the account (mail.example.com) and click Edit.'
        ($guidance[1] | Format-List | Out-String) | Should -Match '1\. On Mac OS 9'
        (Get-ChildItem -LiteralPath $TestDrive -Recurse -Force | Measure-Object).Count | Should -Be $before.Count
        Set-ClientSsl -Client Entourage -Protocol Imap -Security StartTls -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "SslNotSupported,$($Prefix)SetClientSslCommand"
    }
}

Describe 'Undo-ClientSsl' {
    It 'puts back the file as it was before Set-ClientSsl, from the piped change records' {
        $files = Initialize-ClientFolder
        $original = Get-FileHash -LiteralPath $files.Prefs
        $changes = Get-ClientSsl -Path $files.Profile | Set-ClientSsl -Security Implicit -PassThru -Confirm:$false
        (Get-FileHash -LiteralPath $files.Prefs).Hash | Should -Not -Be $original.Hash
        $undone = $changes | Undo-ClientSsl -Confirm:$false -PassThru
        (Get-FileHash -LiteralPath $files.Prefs).Hash | Should -Be $original.Hash
        @($undone | Where-Object Setting -eq 'Security' | ForEach-Object { '{0}->{1}' -f $_.OldValue, $_.NewValue }) | Should -Be @('Implicit->None', 'Implicit->None')
        @(Get-ChildItem -LiteralPath $files.Profile -Filter '.prefs.js.*.mailtls-undo-backup' -Force).Count | Should -Be 1
    }

    It 'says so when there is no backup' {
        $files = Initialize-ClientFolder
        Undo-ClientSsl -Path $files.Msmtp -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "BackupNotFound,$($Prefix)UndoClientSslCommand"
        $errors[0].TargetObject | Should -Be $files.Msmtp
    }
}
