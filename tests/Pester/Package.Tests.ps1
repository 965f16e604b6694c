Describe 'The Gallery package' -Skip:(-not $env:MAILTLS_REPOSITORY -or $PSVersionTable.PSEdition -eq 'Desktop') {
    It 'is one MailTls .nupkg of the module version' {
        $manifest = Import-PowerShellDataFile $env:MAILTLS_MODULE
        $packages = @(Get-ChildItem $env:MAILTLS_REPOSITORY -Filter *.nupkg)
        $packages.Name | Should -Be @("MailTls.$($manifest.ModuleVersion).nupkg")
    }

    # Windows keeps the CurrentUser scope in Documents, which a child process cannot be pointed away from.
    It 'installs with Install-PSResource into a fresh user scope, imports by name and runs' -Skip:$IsWindows {
        # A child pwsh whose home is a temporary folder: its CurrentUser scope, repositories and module path are new.
        $temporaryHome = Join-Path $TestDrive 'home'
        $null = New-Item -ItemType Directory -Path $temporaryHome
        $script = "Register-PSResourceRepository -Name Local -Uri '$env:MAILTLS_REPOSITORY' -Trusted; " +
            'Install-PSResource -Name MailTls -Repository Local -Scope CurrentUser -TrustRepository -Quiet; ' +
            'Import-Module MailTls; (Get-Module MailTls).ModuleBase; ' +
            "(Test-MailEndpoint 'smtp://127.0.0.1:1' -TimeoutSeconds 1).FindingIds"
        $saved = $env:HOME
        $cache = $env:NUGET_PACKAGES
        try {
            $env:NUGET_PACKAGES = $env:MAILTLS_PACKAGES # the pinned pwsh tool still comes from the real cache
            $env:HOME = $temporaryHome
            $null = & dotnet tool restore # a new home has no tool cache; the restore reads the real package cache
            $lines = & dotnet pwsh -NoProfile -NonInteractive -Command $script
        }
        finally {
            $env:HOME = $saved
            $env:NUGET_PACKAGES = $cache
        }
        $LASTEXITCODE | Should -Be 0
        $lines[0] | Should -BeLike "$temporaryHome*MailTls*"
        $lines[1] | Should -Be 'MTLS001'
    }
}
