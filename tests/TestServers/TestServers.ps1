# Starts and stops tests/TestServers (real Postfix and Dovecot plus the named scripted servers) from PowerShell:
# the same servers the xunit suite uses, for the Pester suite and the demo.

function Start-MailTlsTestServer {
    [CmdletBinding(SupportsShouldProcess)]
    param([string] $StateDirectory = '/tmp/mailtls-servers')

    if (-not $PSCmdlet.ShouldProcess($StateDirectory, 'Start the test mail servers')) { return }

    $root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $program = Get-ChildItem -Path (Join-Path $root 'tests/TestServers/bin') -Recurse -Filter 'MailTls.TestServers.dll' |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    if (-not $program) { throw 'tests/TestServers is not built: run ./build.sh build first.' }

    $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in $program.FullName, 'serve', '--state', $StateDirectory) { $start.ArgumentList.Add($argument) }
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    $line = $process.StandardOutput.ReadLine()
    if ($line -notlike 'ready *') {
        $process.Kill($true)
        throw "The test servers did not start: $line"
    }

    $statePath = $line.Substring(6)
    [pscustomobject]@{ Process = $process; StatePath = $statePath; State = Get-Content -Raw $statePath | ConvertFrom-Json }
}

function Stop-MailTlsTestServer {
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory)] $Servers)

    if (-not $PSCmdlet.ShouldProcess($Servers.StatePath, 'Stop the test mail servers')) { return }

    # Closing its standard input tells the server program to stop everything it started.
    $Servers.Process.StandardInput.Close()
    if (-not $Servers.Process.WaitForExit(60000)) { $Servers.Process.Kill($true) }
}

function Get-MailTlsTestState {
    if (-not $env:MAILTLS_STATE) { return $null }
    Get-Content -Raw $env:MAILTLS_STATE | ConvertFrom-Json
}

function Read-MailTlsScriptedStat {
    <#
    .SYNOPSIS
    The one line a scripted stats port answers ("open=N", "peak=N"): what a scripted server holds at once.
    .PARAMETER Endpoint
    The stats port as address:port, from the test state.
    #>
    param([Parameter(Mandatory)] [string] $Endpoint)
    $address, $port = $Endpoint.Split(':')
    $client = [System.Net.Sockets.TcpClient]::new()
    $client.Connect($address, [int]$port)
    try { [System.IO.StreamReader]::new($client.GetStream()).ReadLine() } finally { $client.Dispose() }
}
