BeforeDiscovery {
    $script:HaveServers = [bool]$env:MAILTLS_STATE
    $script:IsDesktop = $PSVersionTable.PSEdition -eq 'Desktop'
    # Where build.ps1 ships a ReadyToRun edition of the engine, and the runtime that runs it (.NET 10 and later).
    $script:Precompiled = -not $IsDesktop -and $IsLinux -and [Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture -eq 'X64' -and [Environment]::Version.Major -ge 10
}

BeforeAll {
    $script:ModulePath = $env:MAILTLS_MODULE
    Import-Module $ModulePath -Force
    . (Join-Path $PSScriptRoot '../TestServers/TestServers.ps1')
    $script:State = Get-MailTlsTestState
    $script:Precompiled = -not ($PSVersionTable.PSEdition -eq 'Desktop') -and $IsLinux -and [Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture -eq 'X64' -and [Environment]::Version.Major -ge 10
    # The engine's folder in this process: the ReadyToRun edition where it applies, else the portable net8.0 one.
    $script:EngineFolder = Join-Path (Split-Path -Parent $ModulePath) "Dependencies/$(if ($Precompiled) { 'net10.0-linux-x64' } else { 'net8.0' })"

    function script:Test-ReadyToRun([string] $Path) {
        # A ReadyToRun image carries native code beside its IL: the CLI header points at a managed native header.
        $stream = [IO.File]::OpenRead($Path)
        try { ([Reflection.PortableExecutable.PEReader]::new($stream)).PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -gt 0 }
        finally { $stream.Dispose() }
    }
}

Describe 'The MailTls module' {
    It 'has a valid manifest whose version is the one of Directory.Build.props' {
        $manifest = Test-ModuleManifest -Path $ModulePath
        $props = [xml](Get-Content -Raw (Join-Path $PSScriptRoot '../../Directory.Build.props'))
        $version = @($props.Project.PropertyGroup | Where-Object { $_['MailTlsVersion'] })[0].MailTlsVersion
        $manifest.Version | Should -Be ([version]$version)
        $manifest.ExportedCmdlets.Keys | Should -Contain 'Test-MailEndpoint'
        $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        Split-Path -Leaf (Split-Path -Parent $ModulePath) | Should -Be $version
    }

    It 'carries what the Gallery checks' {
        $data = Import-PowerShellDataFile $ModulePath
        foreach ($key in 'Author', 'CompanyName', 'Copyright', 'Description', 'GUID', 'PowerShellVersion') {
            $data[$key] | Should -Not -BeNullOrEmpty -Because "$key is required"
        }
        $data.PowerShellVersion | Should -Be '5.1'
        $data.CmdletsToExport | Should -Not -Contain '*'
        $data.FunctionsToExport | Should -BeNullOrEmpty
        $data.VariablesToExport | Should -BeNullOrEmpty
        $data.AliasesToExport | Should -BeNullOrEmpty
        $data.FormatsToProcess | Should -Be @('MailTls.format.ps1xml')
        $data.TypesToProcess | Should -Be @('MailTls.types.ps1xml')
        foreach ($tag in 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS') {
            $data.PrivateData.PSData.Tags | Should -Contain $tag
        }
        $data.PrivateData.PSData.LicenseUri | Should -Match '^https://'
        $data.PrivateData.PSData.ProjectUri | Should -Match '^https://'
        $data.PrivateData.PSData.ReleaseNotes | Should -Match ([regex]::Escape($data.ModuleVersion))
        $data.ModuleVersion | Should -Match '^\d+\.\d+\.\d+$'
    }

    It 'exports exactly the cmdlets of its assembly' {
        $data = Import-PowerShellDataFile $ModulePath
        $assembly = [System.Reflection.Assembly]::LoadFrom((Join-Path (Split-Path -Parent $ModulePath) 'MailTls.PowerShell.dll'))
        $inAssembly = $assembly.GetExportedTypes() | ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { "$($_.VerbName)-$($_.NounName)" }
        $data.CmdletsToExport | Sort-Object | Should -Be ($inAssembly | Sort-Object)
    }

    It 'lays out its dependencies per edition under Dependencies/, none beside the manifest' {
        $base = Split-Path -Parent $ModulePath
        foreach ($framework in 'net8.0', 'netstandard2.0') {
            foreach ($file in 'MailTls.Core.dll', 'MailKit.dll', 'MimeKit.dll', 'BouncyCastle.Cryptography.dll', 'DnsClient.dll') {
                Join-Path $base "Dependencies/$framework/$file" | Should -Exist
            }
        }
        @(Get-ChildItem $base -Filter *.dll).Name | Should -Be @('MailTls.Model.dll', 'MailTls.PowerShell.dll')
        Get-ChildItem (Join-Path $base 'Dependencies') -Recurse -Filter MailTls.Model.dll | Should -BeNullOrEmpty
    }

    It 'ships a ReadyToRun edition of the engine for linux-x64, and portable IL for everything else' -Skip:$IsDesktop {
        $base = Split-Path -Parent $ModulePath
        foreach ($file in 'MailTls.Core.dll', 'MailKit.dll', 'DnsClient.dll', 'BouncyCastle.Cryptography.dll') {
            Test-ReadyToRun (Join-Path $base "Dependencies/net10.0-linux-x64/$file") | Should -BeTrue -Because "$file is precompiled"
            Test-ReadyToRun (Join-Path $base "Dependencies/net8.0/$file") | Should -BeFalse -Because "the net8.0 $file runs anywhere"
        }
        # What a probe barely runs stays IL there too (ReadyToRun would make it 2.7 times the size).
        Test-ReadyToRun (Join-Path $base 'Dependencies/net10.0-linux-x64/MimeKit.dll') | Should -BeFalse
    }

    It 'loads the netstandard2.0 build of the core on Windows PowerShell 5.1, from Dependencies/' -Skip:(-not $IsDesktop) {
        $null = Test-MailEndpoint 'smtp://127.0.0.1:1' -TimeoutSeconds 1
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'MailTls.Core' }
        $core.Location | Should -Be (Join-Path (Split-Path -Parent $ModulePath) 'Dependencies\netstandard2.0\MailTls.Core.dll')
    }

    It 'loads no TLS or mail library at import, only when the first probe needs them' -Skip:$IsDesktop {
        $script = "Import-Module '$ModulePath'; Get-Command Test-MailEndpoint -Syntax | Out-Null; " +
            "[AppDomain]::CurrentDomain.GetAssemblies().GetName().Name -join ','"
        $loaded = (& dotnet pwsh -NoProfile -NonInteractive -Command $script) -split ','
        $LASTEXITCODE | Should -Be 0
        $loaded | Should -Not -Contain 'MailKit'
        $loaded | Should -Not -Contain 'MimeKit'
        $loaded | Should -Not -Contain 'BouncyCastle.Cryptography'
        $loaded | Should -Not -Contain 'DnsClient'
    }

    It 'keeps its MailKit and BouncyCastle apart from the older ones another module loaded first' -Skip:(-not $HaveServers -or $IsDesktop) {
        # A fresh pwsh: load MailKit 4.2.0 and BouncyCastle 2.4.0 as another module would, then import MailTls and probe
        # a TLS 1.0-only server, which this machine's OpenSSL refuses, so BouncyCastle observes the handshake (nothing
        # else loads it).
        $oldMailKit = Join-Path $env:MAILTLS_PACKAGES 'mailkit/4.2.0/lib/net6.0/MailKit.dll'
        $oldBouncy = Join-Path $env:MAILTLS_PACKAGES 'bouncycastle.cryptography/2.4.0/lib/net6.0/BouncyCastle.Cryptography.dll'
        $oldMailKit | Should -Exist
        $oldBouncy | Should -Exist
        $target = "$($State.cases.legacytls):$($State.ports.submission)"
        $script = "`$null = [Reflection.Assembly]::LoadFrom('$oldMailKit'); `$null = [Reflection.Assembly]::LoadFrom('$oldBouncy'); " +
            "`$null = [MailKit.Net.Smtp.SmtpClient]::new(); " +
            "Import-Module '$ModulePath'; `$r = Test-MailEndpoint $target -Protocol Smtp -Security StartTls -TrustedRootCertificate '$($State.root)'; " +
            "'observed=' + `$r.TlsVersion + ',' + (`$r.FindingIds -join ','); [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -in 'MailKit', 'BouncyCastle.Cryptography' } | " +
            "ForEach-Object { `$_.GetName().Name + '=' + `$_.GetName().Version + '@' + [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name + '@' + `$_.Location }"
        $lines = & dotnet pwsh -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0
        $lines | Should -Contain 'observed=TLS 1.0,MTLS041,MTLS070'
        $lines | Should -Contain "MailKit=4.2.0.0@Default@$oldMailKit"
        $lines | Should -Contain "BouncyCastle.Cryptography=2.0.0.0@Default@$oldBouncy"
        # BouncyCastle 2.4 and 2.7 share the assembly version 2.0.0.0: one load context could not hold both.
        @($lines | Where-Object { $_ -like "MailKit=4.18.*@MailTls@$EngineFolder/MailKit.dll" }).Count | Should -Be 1
        $lines | Should -Contain "BouncyCastle.Cryptography=2.0.0.0@MailTls@$EngineFolder/BouncyCastle.Cryptography.dll"
    }

    It 'asks which TLS versions a server accepts without loading a TLS library of its own' -Skip:(-not $HaveServers -or $IsDesktop) {
        # The version questions are bare ClientHellos; BouncyCastle is for observing what the platform refuses.
        $target = "$($State.cases.good):$($State.ports.imaps)"
        $script = "Import-Module '$ModulePath'; `$r = Test-MailEndpoint $target -Protocol Imap -Security Implicit -IncludeTlsVersions -TrustedRootCertificate '$($State.root)'; " +
            "'versions=' + (`$r.AcceptedTlsVersions -join ','); 'loaded=' + ([AppDomain]::CurrentDomain.GetAssemblies().GetName().Name -join ',')"
        $lines = & dotnet pwsh -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0
        $lines | Should -Contain 'versions=TLS 1.2,TLS 1.3'
        ($lines | Where-Object { $_ -like 'loaded=*' }) -split ',' | Should -Contain 'MailKit'
        ($lines | Where-Object { $_ -like 'loaded=*' }) -split ',' | Should -Not -Contain 'BouncyCastle.Cryptography'
    }

    It 'loads the core on PowerShell 7 from Dependencies/: the ReadyToRun edition on .NET 10+ linux-x64, else net8.0' -Skip:$IsDesktop {
        $null = Test-MailEndpoint 'smtp://127.0.0.1:1' -TimeoutSeconds 1
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'MailTls.Core' }
        @($core).Count | Should -Be 1
        $core.Location | Should -Be (Join-Path $EngineFolder 'MailTls.Core.dll')
        $core.GetCustomAttributes([System.Runtime.Versioning.TargetFrameworkAttribute], $false).FrameworkName |
            Should -Be $(if ($Precompiled) { '.NETCoreApp,Version=v10.0' } else { '.NETCoreApp,Version=v8.0' })
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core).Name | Should -Be 'MailTls'
        # The model is shared: PowerShell's default context holds its one copy, so type literals resolve.
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([MailTls.EndpointReport].Assembly).Name | Should -Be 'Default'
    }

    It 'runs the precompiled code of its ReadyToRun edition, and the portable edition where that edition is missing' -Skip:(-not $HaveServers -or -not $Precompiled) {
        # Counted by the runtime's own JIT events in a fresh pwsh: the methods of MailKit and of the probe that were
        # compiled at run time for one probe. A ReadyToRun image the runtime refuses (one made for .NET 8, say) would
        # load and work, and show here as hundreds.
        $counter = Join-Path $TestDrive 'count-jit.ps1'
        Set-Content -Path $counter -Value @'
param($Module, $Target, $Root)
Add-Type -TypeDefinition @"
using System.Diagnostics.Tracing;
using System.Threading;
public sealed class JitCount : EventListener
{
    private int _compiled;
    public int Compiled => Volatile.Read(ref _compiled);
    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") { EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x10); } // JIT
    }
    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName == null || !e.EventName.StartsWith("MethodJittingStarted") || e.Payload == null) { return; }
        var space = e.Payload[e.PayloadNames.IndexOf("MethodNamespace")] as string ?? "";
        if (space.StartsWith("MailKit.") || space.StartsWith("MailTls.Probing.")) { Interlocked.Increment(ref _compiled); }
    }
}
"@
$listener = [JitCount]::new()
Import-Module $Module
$report = Test-MailEndpoint $Target -Protocol Imap -Security Implicit -TrustedRootCertificate $Root
$core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'MailTls.Core' }
"$($report.Verdict)|$($listener.Compiled)|$($core.Location)"
'@
        $portable = Join-Path $TestDrive 'portable/MailTls'
        $null = New-Item -ItemType Directory -Path $portable
        Copy-Item -Recurse (Split-Path -Parent $ModulePath) $portable
        $portableModule = Join-Path $portable (Split-Path -Leaf (Split-Path -Parent $ModulePath))
        Remove-Item -Recurse (Join-Path $portableModule 'Dependencies/net10.0-linux-x64')
        $target = "$($State.cases.good):$($State.ports.imaps)"

        $verdict, $compiled, $location = (& dotnet pwsh -NoProfile -NonInteractive -File $counter $ModulePath $target $State.root) -split '\|'
        $LASTEXITCODE | Should -Be 0
        $verdict | Should -Be 'Pass'
        $location | Should -Be (Join-Path $EngineFolder 'MailTls.Core.dll')
        [int]$compiled | Should -BeLessThan 20

        $verdict, $jitted, $location = (& dotnet pwsh -NoProfile -NonInteractive -File $counter (Join-Path $portableModule 'MailTls.psd1') $target $State.root) -split '\|'
        $LASTEXITCODE | Should -Be 0
        $verdict | Should -Be 'Pass'
        $location | Should -Be (Join-Path $portableModule 'Dependencies/net8.0/MailTls.Core.dll')
        [int]$jitted | Should -BeGreaterThan 100
    }

    It 'works in a hosted runspace that has only the Microsoft.PowerShell.Core cmdlets and no host' -Skip:(-not $HaveServers) {
        # CreateDefault2 holds only the Microsoft.PowerShell.Core cmdlets; with autoloading off nothing else comes in.
        $iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
        $iss.Variables.Add([System.Management.Automation.Runspaces.SessionStateVariableEntry]::new('PSModuleAutoLoadingPreference', 'None', ''))
        $runspace = [runspacefactory]::CreateRunspace($iss)
        $runspace.Open()
        try {
            $ps = [powershell]::Create()
            $ps.Runspace = $runspace
            $null = $ps.AddScript({
                    param($module, $root, $target)
                    Import-Module $module
                    $report = Test-MailEndpoint $target -Protocol Imap -Security Implicit -TrustedRootCertificate $root
                    [pscustomobject]@{ Verdict = $report.Verdict; Modules = (Get-Module).Name; Utility = [bool](Get-Command Get-Date -ErrorAction Ignore) }
                }).AddArgument($ModulePath).AddArgument($State.root).AddArgument("$($State.cases.good):$($State.ports.imaps)")
            $out = $ps.Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
            $out.Verdict | Should -Be 'Pass'
            $out.Modules | Should -Be @('MailTls')
            $out.Utility | Should -BeFalse
        }
        finally {
            $runspace.Dispose()
        }
    }
}

Describe 'Test-MailEndpoint metadata' {
    BeforeAll {
        $script:command = Get-Command Test-MailEndpoint
    }

    It 'is a cmdlet with an approved verb that declares its output types' {
        $command.CommandType | Should -Be 'Cmdlet'
        $command.Verb | Should -BeIn (Get-Verb).Verb
        $command.OutputType.Name | Should -Contain 'MailTls.EndpointReport'
        $command.OutputType.Name | Should -Contain 'System.Boolean'
    }

    It 'takes HostName by value and by property name, with the aliases ComputerName and Host' {
        $parameter = $command.Parameters['HostName']
        $parameter.Aliases | Should -Be @('ComputerName', 'Host')
        $attribute = $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
        $attribute.Mandatory | Should -BeTrue
        $attribute.ValueFromPipeline | Should -BeTrue
        $attribute.ValueFromPipelineByPropertyName | Should -BeTrue
    }

    It 'takes <_> by property name' -ForEach 'Port', 'Protocol', 'Security', 'ServerName' {
        $attribute = $command.Parameters[$_].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
        $attribute.ValueFromPipelineByPropertyName | Should -BeTrue
    }

    It 'has the parameters the issue asks for' {
        foreach ($name in 'HostName', 'Port', 'Protocol', 'Security', 'ServerName', 'TimeoutSeconds', 'TrustedRootCertificate',
            'IncludeTlsVersions', 'IncludeTranscript', 'ThrottleLimit', 'Quiet', 'AllAddresses', 'Policy') {
            $command.Parameters.Keys | Should -Contain $name
        }
        $command.Parameters['Protocol'].ParameterType | Should -Be ([Nullable[MailTls.MailProtocol]])
        [enum]::GetNames([MailTls.MailSecurity]) | Should -Be @('Implicit', 'StartTls', 'None')
    }
}
