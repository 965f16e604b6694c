BeforeDiscovery {
    Import-Module $env:MAILTLS_MODULE -Force
    $script:Commands = @((Get-Module MailTls).ExportedCommands.Values | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    Import-Module $env:MAILTLS_MODULE -Force
    $script:Docs = Join-Path $PSScriptRoot '../../docs'
    # WhatIf and Confirm, where a cmdlet has them, are documented like its own parameters (PlatyPS does so).
    $script:Common = [System.Management.Automation.Cmdlet]::CommonParameters

    function Get-DocSection {
        # The text of one "## NAME" section of a PlatyPS markdown page.
        param([string] $Text, [string] $Name)
        $match = [regex]::Match($Text, '(?ms)^## ' + $Name + '\s*$(.*?)(?=^## |\z)')
        $match.Groups[1].Value
    }
}

Describe 'Help for <Name>' -ForEach $Commands {
    BeforeAll {
        $script:Page = Join-Path $Docs "$Name.md"
        $script:Text = Get-Content -Raw $Page
        $script:Command = Get-Command $Name
    }

    It 'has a PlatyPS v1 page in docs/' {
        $Page | Should -Exist
        $Text | Should -Match 'PlatyPS schema version: 2024-05-01'
        $Text | Should -Match "(?m)^title: $Name$"
        $Text | Should -Not -Match '\{\{'
    }

    It 'documents every parameter, and only real ones' {
        $documented = [regex]::Matches((Get-DocSection $Text 'PARAMETERS'), '(?m)^### -(\w+)') | ForEach-Object { $_.Groups[1].Value }
        $real = $Command.Parameters.Keys | Where-Object { $_ -notin $Common }
        $documented | Sort-Object | Should -Be ($real | Sort-Object)
    }

    It 'gives every parameter a description' {
        $blocks = [regex]::Matches((Get-DocSection $Text 'PARAMETERS'), '(?ms)^### -(\w+)\s*$(.*?)^```yaml')
        $blocks.Count | Should -BeGreaterThan 0
        foreach ($block in $blocks) {
            $block.Groups[2].Value.Trim().Length | Should -BeGreaterThan 40 -Because "-$($block.Groups[1].Value) needs a real description"
        }
    }

    It 'has at least three examples, each with code and an explanation' {
        $examples = [regex]::Matches((Get-DocSection $Text 'EXAMPLES'), '(?ms)^### Example \d+: .+?$(.*?)(?=^### |\z)')
        $examples.Count | Should -BeGreaterOrEqual 3
        foreach ($example in $examples) {
            $example.Groups[1].Value | Should -Match '```powershell'
            ($example.Groups[1].Value -split '```')[-1].Trim().Length | Should -BeGreaterThan 40
        }
    }

    It 'names the real output types' {
        $documented = [regex]::Matches((Get-DocSection $Text 'OUTPUTS'), '(?m)^### (\S+)') | ForEach-Object { $_.Groups[1].Value }
        $documented | Sort-Object | Should -Be ($Command.OutputType.Name | Sort-Object)
    }

    It 'ships as MAML help, so Get-Help shows the synopsis and the examples' {
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name "
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 3
    }
}

Describe 'The module page and the about topics' {
    It 'lists every cmdlet on docs/MailTls.md' {
        $text = Get-Content -Raw (Join-Path $Docs 'MailTls.md')
        foreach ($name in (Get-Module MailTls).ExportedCommands.Keys) {
            $text | Should -Match "\[$name\]\($name\.md\)"
        }
    }

    It 'serves about_MailTls and about_MailTls_Findings through Get-Help' {
        (Get-Help about_MailTls | Out-String) | Should -Match 'Is mail on this account encrypted'
        (Get-Help about_MailTls_Findings | Out-String) | Should -Match 'MTLS001 ConnectionRefused'
    }
}
