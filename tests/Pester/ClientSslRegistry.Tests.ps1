# The registry-backed Windows clients through the built module. On Windows (PowerShell 7 and Windows PowerShell 5.1
# jobs) against the real registry, under a throwaway HKCU key laid out like a user's hive; elsewhere, what a registry
# path gives where there is no registry. The same cases run against an in-memory registry in RegistryClientTests.
BeforeDiscovery {
    $script:OnWindows = $IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop'
}

BeforeAll {
    Import-Module $env:MAILTLS_MODULE -Force
    $script:OnWindows = $IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop'
}

Describe 'Outlook Express and Outlook in the real registry' -Skip:(-not $OnWindows) {
    BeforeEach {
        $script:Root = "HKCU:\Software\MailTlsTest-$([guid]::NewGuid().ToString('N'))"
        $script:Accounts = "$Root\Software\Microsoft\Internet Account Manager\Accounts"
        $script:Home1 = "$Accounts\00000001"
        $null = New-Item -Path $Home1 -Force
        $null = New-ItemProperty -Path $Home1 -Name 'Account Name' -Value 'Home' -PropertyType String
        $null = New-ItemProperty -Path $Home1 -Name 'POP3 Server' -Value 'pop.example.com' -PropertyType String
        $null = New-ItemProperty -Path $Home1 -Name 'POP3 Secure Connection' -Value 0 -PropertyType DWord
        $null = New-ItemProperty -Path $Home1 -Name 'SMTP Server' -Value 'smtp.example.com' -PropertyType String
        $null = New-ItemProperty -Path $Home1 -Name 'SMTP Port' -Value 587 -PropertyType DWord
        $null = New-ItemProperty -Path $Home1 -Name 'SMTP Secure Connection' -Value 1 -PropertyType DWord
        $null = New-ItemProperty -Path $Home1 -Name 'SMTP Email Address' -Value 'home@example.com' -PropertyType String
        $script:SavedLocalAppData = $env:LOCALAPPDATA
        $env:LOCALAPPDATA = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $script:BackupFolder = Join-Path $env:LOCALAPPDATA 'MailTls\Backups'
    }

    AfterEach {
        Remove-Item -Path $Root -Recurse -Force -ErrorAction SilentlyContinue
        $env:LOCALAPPDATA = $SavedLocalAppData
    }

    It 'reads the accounts under a hive-like key, with the SMTP port rule' {
        $found = @(Get-ClientSsl -Path $Root)
        @($found | ForEach-Object { '{0} {1} {2}:{3} {4}' -f $_.Client, $_.Protocol, $_.HostName, $_.Port, $_.Security }) |
            Should -Be @('OutlookExpress Pop3 pop.example.com:110 None', 'OutlookExpress Smtp smtp.example.com:587 Implicit')
        $found[1].Findings.Id | Should -Contain 'MTLS082'
        $found[0].ConfigPath | Should -Be ($Home1 -replace '^HKCU:', 'HKEY_CURRENT_USER')
    }

    It '-WhatIf writes nothing and takes no backup' {
        $before = Get-ItemProperty -Path $Home1 | Out-String
        Set-ClientSsl -Path $Root -Role Incoming -Security Implicit -WhatIf
        Get-ItemProperty -Path $Home1 | Out-String | Should -Be $before
        Test-Path $BackupFolder | Should -BeFalse
    }

    It 'switches mode and port together, and both reg import and Undo-ClientSsl put the values back' {
        $changes = @(Set-ClientSsl -Path $Root -Role Incoming -Security Implicit -PassThru -WarningAction SilentlyContinue)
        $changes.Setting | Should -Be @('POP3 Secure Connection', 'POP3 Port')
        (Get-ItemProperty -Path $Home1).'POP3 Port' | Should -Be 995
        (Get-Item -Path $Home1).GetValueKind('POP3 Port') | Should -Be 'DWord'
        (Get-Item -Path $Home1).GetValueKind('POP3 Secure Connection') | Should -Be 'DWord'
        $backup = @(Get-ChildItem $BackupFolder -Filter *.mailtls-backup.reg)
        $backup.Count | Should -Be 1
        $changes[0].BackupPath | Should -Be $backup[0].FullName

        # Windows' own reg.exe takes the backup: the port value goes, the flag comes back.
        & reg.exe import $backup[0].FullName 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0
        (Get-ItemProperty -Path $Home1).PSObject.Properties.Name | Should -Not -Contain 'POP3 Port'
        (Get-ItemProperty -Path $Home1).'POP3 Secure Connection' | Should -Be 0

        $null = Set-ClientSsl -Path $Root -Role Incoming -Security Implicit -WarningAction SilentlyContinue
        $undone = @(Undo-ClientSsl -Path $Home1 -PassThru -Confirm:$false)
        ($undone | Where-Object Setting -eq 'Port').NewValue | Should -Be '110'
        (Get-ItemProperty -Path $Home1).PSObject.Properties.Name | Should -Not -Contain 'POP3 Port'
    }

    It 'refuses STARTTLS Outlook Express cannot do and reports a value of the wrong type' {
        Set-ClientSsl -Path $Root -Role Incoming -Security StartTls -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'SslNotSupported,*'
        Set-ItemProperty -Path $Home1 -Name 'POP3 Port' -Value '995' -Type String
        $before = Get-ItemProperty -Path $Home1 | Out-String
        $found = @(Get-ClientSsl -Path $Root -ErrorVariable bad -ErrorAction SilentlyContinue)
        $found.Count | Should -Be 0
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'RegistryValueTypeInvalid,*'
        $bad[0].CategoryInfo.Category | Should -Be 'InvalidData'
        Get-ItemProperty -Path $Home1 | Out-String | Should -Be $before
    }

    It 'finds a value whose name a setup tool spelled in lowercase, backs it up and puts it back' {
        $null = New-ItemProperty -Path $Home1 -Name 'POP3 port' -Value 1110 -PropertyType DWord
        (Get-ClientSsl -Path $Home1 -Role Incoming).Port | Should -Be 1110
        $null = Set-ClientSsl -Path $Home1 -Role Incoming -Security Implicit -WarningAction SilentlyContinue
        (Get-ItemProperty -Path $Home1).'POP3 Port' | Should -Be 995
        $null = Undo-ClientSsl -Path $Home1 -Confirm:$false
        (Get-ItemProperty -Path $Home1).'POP3 Port' | Should -Be 1110
    }

    It 'reads and switches an Outlook 2016 account whose text is UTF-16 in REG_BINARY' {
        $key = "$Root\Software\Microsoft\Office\16.0\Outlook\Profiles\Outlook\9375CFF0413111d3B88A00104B2A6676\00000002"
        $null = New-Item -Path $key -Force
        # The comma keeps the byte[] whole (PowerShell would unroll it into an object[]).
        $text = { param($s) , [byte[]][System.Text.Encoding]::Unicode.GetBytes($s + [char]0) }
        $null = New-ItemProperty -Path $key -Name 'Account Name' -Value (& $text 'alice@example.com') -PropertyType Binary
        $null = New-ItemProperty -Path $key -Name 'IMAP Server' -Value (& $text 'imap.example.com') -PropertyType Binary
        $null = New-ItemProperty -Path $key -Name 'IMAP Port' -Value 143 -PropertyType DWord
        $null = New-ItemProperty -Path $key -Name 'IMAP Use SSL' -Value 0 -PropertyType DWord
        $null = New-ItemProperty -Path $key -Name 'SMTP Server' -Value (& $text 'smtp.example.com') -PropertyType Binary
        $null = New-ItemProperty -Path $key -Name 'SMTP Port' -Value 25 -PropertyType DWord
        $null = New-ItemProperty -Path $key -Name 'SMTP Secure Connection' -Value 0 -PropertyType DWord
        $outlook = @(Get-ClientSsl -Client Outlook -Path $Root)
        @($outlook | ForEach-Object { '{0} {1}:{2} {3} {4}' -f $_.Account, $_.HostName, $_.Port, $_.Security, $_.ClientVersion }) |
            Should -Be @('alice@example.com imap.example.com:143 None 2016 or later', 'alice@example.com smtp.example.com:25 None 2016 or later')
        $outlook | Set-ClientSsl -Security StartTls -ErrorAction SilentlyContinue -ErrorVariable refused -WarningAction SilentlyContinue
        $refused.Count | Should -Be 1
        $outlook | Where-Object Protocol -eq 'Imap' | Set-ClientSsl -Security Implicit -HostName mail.example.com -WarningAction SilentlyContinue
        $values = Get-ItemProperty -Path $key
        @($values.'IMAP Use SSL', $values.'IMAP Port', $values.'SMTP Secure Connection', $values.'SMTP Port') | Should -Be @(1, 993, 2, 587)
        [System.Text.Encoding]::Unicode.GetString($values.'IMAP Server') | Should -Be "mail.example.com$([char]0)"
    }
}

Describe 'Registry paths where there is no registry' -Skip:$OnWindows {
    It 'gives RegistryUnavailable for the key and goes on with the next path' {
        $msmtp = Join-Path $TestDrive 'msmtprc'
        Set-Content -LiteralPath $msmtp -Value "account work`nhost smtp.example.com`nport 465`ntls on`ntls_starttls off`n"
        $found = @(Get-ClientSsl -Path 'HKCU:\Software\Microsoft', $msmtp -ErrorVariable noRegistry -ErrorAction SilentlyContinue)
        $noRegistry[0].FullyQualifiedErrorId | Should -Be 'RegistryUnavailable,MailTls.PowerShell.Commands.GetClientSslCommand'
        $noRegistry[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $noRegistry[0].TargetObject | Should -Be 'HKEY_CURRENT_USER\Software\Microsoft'
        $noRegistry[0].Exception.Message | Should -Match 'only Windows has a registry'
        $found.Count | Should -Be 1
        $found[0].Security | Should -Be 'Implicit'
    }

    It 'finds no backup to undo for a registry key' {
        Undo-ClientSsl -Path 'Registry::HKEY_CURRENT_USER\Software\X\00000001' -ErrorVariable none -ErrorAction SilentlyContinue
        $none[0].FullyQualifiedErrorId | Should -BeLike 'BackupNotFound,*'
        $none[0].TargetObject | Should -Be 'HKEY_CURRENT_USER\Software\X\00000001'
    }
}

Describe 'IncrediMail' {
    It 'gets the exact steps, since its registry values are documented nowhere' {
        $steps = Set-ClientSsl -Client IncrediMail -Protocol Pop3 -Security Implicit -HostName pop.example.com
        $steps | Should -BeOfType ([MailTls.ClientSslGuidance])
        $steps.Port | Should -Be 995
        $steps.Steps[0] | Should -Match 'Tools > Accounts'
        ($steps.Steps -join "`n") | Should -Match 'This server requires a secure connection \(SSL\)" and set the port to 995'
        $steps.Notes | Should -Match 'download every message'
        Set-ClientSsl -Client IncrediMail -Protocol Imap -Security StartTls -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'SslNotSupported,*'
        Get-ClientSsl -Client IncrediMail -WarningVariable warned -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        $warned[0] | Should -Match 'Set-ClientSsl -Client IncrediMail'
    }
}
