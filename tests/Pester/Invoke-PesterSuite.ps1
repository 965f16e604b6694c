<#
.SYNOPSIS
    Runs the Pester suite against the built module, with the real test servers up for the whole run.
    Called by build.ps1 in a child pwsh that imports only out/MailTls.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $PackageCache,
    [Parameter(Mandatory)] [string] $PackageDirectory,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ResultDirectory,
    [Parameter(Mandatory)] [string] $CountFile
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
. (Join-Path $PSScriptRoot '../TestServers/TestServers.ps1')

$env:MAILTLS_MODULE = (Resolve-Path $ModulePath).Path
$env:MAILTLS_PACKAGES = $PackageCache
$env:MAILTLS_REPOSITORY = (Resolve-Path $PackageDirectory).Path
$servers = $null
if ($IsLinux) {
    $servers = Start-MailTlsTestServer
    $env:MAILTLS_STATE = $servers.StatePath
}

try {
    $configuration = New-PesterConfiguration
    $configuration.Run.Path = $PSScriptRoot
    $configuration.Run.PassThru = $true
    $configuration.Output.Verbosity = 'Detailed'
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputFormat = 'NUnitXml'
    $configuration.TestResult.OutputPath = Join-Path $ResultDirectory 'pester.xml'
    $result = Invoke-Pester -Configuration $configuration
}
finally {
    if ($servers) { Stop-MailTlsTestServer $servers }
}

[pscustomobject]@{ Passed = $result.PassedCount; Failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount; Skipped = $result.SkippedCount } |
    ConvertTo-Json | Set-Content -Path $CountFile
if ($result.SkippedCount -gt 0) {
    Write-Host "Skipped (by name): $(@($result.Skipped | ForEach-Object ExpandedPath) -join '; ')"
}
exit ([int]($result.Result -ne 'Passed'))
