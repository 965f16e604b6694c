BeforeDiscovery {
    $script:HaveServers = [bool]$env:MAILTLS_STATE
    $script:HaveCertutil = [bool](Get-Command certutil -ErrorAction Ignore)
    $script:CanSandboxSystem = $IsLinux -and [bool](Get-Command unshare -ErrorAction Ignore) -and [bool](Get-Command update-ca-certificates -ErrorAction Ignore) -and (& id -u) -eq '0'
}

BeforeAll {
    $script:ModulePath = $env:MAILTLS_MODULE
    Import-Module $ModulePath -Force
    . (Join-Path $PSScriptRoot '../TestServers/TestServers.ps1')
    $script:State = Get-MailTlsTestState
    $script:CommandPrefix = 'MailTls.PowerShell.Commands.'
    if ($State) {
        $script:RootPath = $State.root
        $script:RootSha256 = (Get-FileHash -Algorithm SHA256 -InputStream ([IO.MemoryStream]::new([Security.Cryptography.X509Certificates.X509Certificate2]::new($State.root).RawData))).Hash
    }

    function Initialize-NssProfile {
        # A Thunderbird-like profile folder with a fresh NSS database, made by NSS's own tool.
        $profileDirectory = Join-Path $TestDrive ('profile-' + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $profileDirectory
        & certutil -N --empty-password -d "sql:$profileDirectory"
        $profileDirectory
    }

    function Get-NssListing([string] $ProfileDirectory) { (& certutil -L -d "sql:$ProfileDirectory") -join "`n" }

    function Get-FreshPesterCa {
        # A fresh self-signed CA (basic constraints CA) for the operating systems' own stores.
        $key = [System.Security.Cryptography.ECDsa]::Create()
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=MailTls Pester CA', $key, 'SHA256')
        $request.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
        $request.CreateSelfSigned([datetimeoffset]::UtcNow.AddDays(-1), [datetimeoffset]::UtcNow.AddDays(30))
    }
}

Describe 'Import-MailRootCa, Get-MailRootCa and Remove-MailRootCa on an NSS profile' -Skip:(-not $HaveServers -or -not $HaveCertutil) {
    It 'imports a root CA file, idempotently, and lists and removes it again' {
        $profileDirectory = Initialize-NssProfile
        $first = Import-MailRootCa -Path $RootPath -Store Nss -ProfilePath $profileDirectory -Confirm:$false -PassThru
        $first.Action | Should -Be 'Added'
        $first.Store | Should -Be 'Nss'
        $first.Sha256Fingerprint | Should -Be $RootSha256
        Get-NssListing $profileDirectory | Should -Match 'MailTls - MailTls Test Root CA [0-9A-F]{8}\s+C,,'
        (Import-MailRootCa -Path $RootPath -Store Nss -ProfilePath $profileDirectory -Confirm:$false -PassThru).Action | Should -Be 'AlreadyTrusted'

        $entry = Get-MailRootCa -Store Nss -ProfilePath $profileDirectory
        $entry | Should -BeOfType ([MailTls.MailRootCaEntry])
        $entry.Subject | Should -Be 'CN=MailTls Test Root CA, O=MailTls tests'

        $entry.ProfilePath | Should -Be $profileDirectory
        # Store, ProfilePath and Sha256Fingerprint bind by property name: that store alone, nothing else to say.
        $removed = $entry | Remove-MailRootCa -Confirm:$false -PassThru
        $removed.Action | Should -Be 'Removed'
        Get-NssListing $profileDirectory | Should -Not -Match 'MailTls - '
        (Remove-MailRootCa -Sha256Fingerprint $RootSha256 -Store Nss -ProfilePath $profileDirectory -Confirm:$false -PassThru).Action | Should -Be 'AlreadyAbsent'
    }

    It 'never takes an unpinned certificate from the network without a person saying yes' {
        # A child session with a prompt but no person: an empty line (the prompt's default), and input at its end.
        $profileDirectory = Initialize-NssProfile
        $target = "$($State.cases.selfsigned):$($State.ports.imaps)"
        $script = Join-Path $TestDrive 'unpinned.ps1'
        "Import-Module '$ModulePath'; Import-MailRootCa -FromEndpoint $target -Protocol Imap -Security Implicit -AllowSelfSignedLeaf -Store Nss -ProfilePath '$profileDirectory' -Confirm:`$false -ErrorAction Continue 2>&1 | ForEach-Object { `$_.FullyQualifiedErrorId }" |
            Set-Content $script
        $blank = "`n`n`n" | & dotnet pwsh -NoProfile -File $script
        $closed = $null | & dotnet pwsh -NoProfile -File $script
        $blank | Should -Contain 'ThumbprintRequired,MailTls.PowerShell.Commands.ImportMailRootCaCommand'
        $closed | Should -Contain 'ThumbprintRequired,MailTls.PowerShell.Commands.ImportMailRootCaCommand'
        Get-NssListing $profileDirectory | Should -Not -Match 'MailTls - '
    }

    It 'leaves the exemptions alone with -WhatIf, and when the certificate went to no profile' {
        $profileDirectory = Initialize-NssProfile
        $target = "$($State.cases.selfsigned):$($State.ports.imaps)"
        $override = Join-Path $profileDirectory 'cert_override.txt'
        "$($target):`tOID.2.16.840.1.101.3.4.2.1`tAA:BB`t" | Set-Content $override
        $pin = (Test-MailEndpoint $target -Protocol Imap -Security Implicit).Sha256Fingerprint
        $null = Import-MailRootCa -FromEndpoint $target -Protocol Imap -Security Implicit -AllowSelfSignedLeaf -Thumbprint $pin -Store Nss -ProfilePath $profileDirectory -RemoveExemption -WhatIf
        Get-Content $override | Should -Be "$($target):`tOID.2.16.840.1.101.3.4.2.1`tAA:BB`t"
        Get-NssListing $profileDirectory | Should -Not -Match 'MailTls - '
        # Into a profile that is not among the stores (-Store User, which fails here): the exemption stays.
        $null = Import-MailRootCa -FromEndpoint $target -Protocol Imap -Security Implicit -AllowSelfSignedLeaf -Thumbprint $pin -Store User -ProfilePath $profileDirectory -RemoveExemption -Confirm:$false -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        Get-Content $override | Should -Be "$($target):`tOID.2.16.840.1.101.3.4.2.1`tAA:BB`t"
    }

    It 'changes nothing in a profile the mail client has open (ProfileLocked)' -Skip:(-not $IsLinux) {
        $profileDirectory = Initialize-NssProfile
        # The lock a running client holds: its address and a live process (this one); a dead one's lock is stale.
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $profileDirectory 'lock') -Target "127.0.1.1:+$PID"
        $null = Import-MailRootCa -Path $RootPath -Store Nss -ProfilePath $profileDirectory -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "ProfileLocked,$($CommandPrefix)ImportMailRootCaCommand"
        $errors[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $errors[0].TargetObject | Should -Be $profileDirectory
        Get-NssListing $profileDirectory | Should -Not -Match 'MailTls - '
    }

    It 'refuses a fingerprint that is not one (FingerprintInvalid)' {
        $null = Remove-MailRootCa -Sha256Fingerprint 'not-a-fingerprint' -Store Nss -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "FingerprintInvalid,$($CommandPrefix)RemoveMailRootCaCommand"
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].TargetObject | Should -Be 'not-a-fingerprint'
    }

    It 'uses ~/.pki/nssdb as the User store, and Get | Remove finds it there' -Skip:(-not $IsLinux) {
        # A child pwsh whose home is a temporary folder with a fresh user NSS database.
        $temporaryHome = Join-Path $TestDrive 'userhome'
        $database = Join-Path $temporaryHome '.pki/nssdb'
        $null = New-Item -ItemType Directory -Path $database
        & certutil -N --empty-password -d "sql:$database"
        $script = Join-Path $TestDrive 'user-store.ps1'
        @"
Import-Module '$ModulePath'
`$added = Import-MailRootCa -Path '$RootPath' -Store User -Confirm:`$false -PassThru
`$entry = Get-MailRootCa -Store User
`$removed = `$entry | Remove-MailRootCa -Confirm:`$false -PassThru
'{0}|{1}|{2}|{3}' -f `$added.Action, `$entry.Store, `$entry.ProfilePath, `$removed.Action
"@ | Set-Content $script
        $saved = $env:HOME
        $cache = $env:NUGET_PACKAGES
        try {
            $env:NUGET_PACKAGES = $env:MAILTLS_PACKAGES
            $env:HOME = $temporaryHome
            $null = & dotnet tool restore
            $line = & dotnet pwsh -NoProfile -NonInteractive -File $script
        }
        finally {
            $env:HOME = $saved
            $env:NUGET_PACKAGES = $cache
        }
        $line | Should -Be "Added|User|$database|Removed"
        Get-NssListing $database | Should -Not -Match 'MailTls - '
    }

    It 'asks before it writes, naming the certificate and its SHA-256 fingerprint, and takes No for an answer' {
        # The real console host of a child pwsh, answered "N" on its input.
        $profileDirectory = Initialize-NssProfile
        $script = Join-Path $TestDrive 'confirm.ps1'
        "Import-Module '$ModulePath'; Import-MailRootCa -Path '$RootPath' -Store Nss -ProfilePath '$profileDirectory' -PassThru" | Set-Content $script
        $screen = (("N`n" | & dotnet pwsh -NoProfile -File $script) -join '') -replace '\s', ''
        $screen | Should -Match 'Areyousureyouwanttoperformthisaction\?'
        $screen | Should -Match ([regex]::Escape('CN=MailTlsTestRootCA,O=MailTlstests'))
        $screen | Should -Match ([regex]::Escape((($RootSha256 -split '(..)' | Where-Object { $_ }) -join ':')))
        Get-NssListing $profileDirectory | Should -Not -Match 'MailTls - '
    }

    It 'writes nothing with -WhatIf' {
        $profileDirectory = Initialize-NssProfile
        $before = Get-FileHash (Join-Path $profileDirectory 'cert9.db')
        $out = Import-MailRootCa -Path $RootPath -Store Nss -ProfilePath $profileDirectory -WhatIf -PassThru
        $out | Should -BeNullOrEmpty
        (Get-FileHash (Join-Path $profileDirectory 'cert9.db')).Hash | Should -Be $before.Hash
        Get-NssListing $profileDirectory | Should -Not -Match 'MailTls - '
    }

    It 'takes the self-signed certificate of a server only when pinned, then deletes its exemption' {
        $profileDirectory = Initialize-NssProfile
        $target = "$($State.cases.selfsigned):$($State.ports.imaps)"
        $override = Join-Path $profileDirectory 'cert_override.txt'
        "# PSM Certificate Override Settings file`n$($target):`tOID.2.16.840.1.101.3.4.2.1`tAA:BB`t`nother.example:993:`tOID.2.16.840.1.101.3.4.2.1`tCC:DD`t" | Set-Content $override -NoNewline
        $probe = Test-MailEndpoint $target -Protocol Imap -Security Implicit
        $pin = $probe.Sha256Fingerprint

        # Without a pin, in a session that cannot prompt: refused, nothing written.
        $null = Import-MailRootCa -FromEndpoint $target -Protocol Imap -Security Implicit -AllowSelfSignedLeaf -Store Nss -ProfilePath $profileDirectory -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "ThumbprintRequired,$($CommandPrefix)ImportMailRootCaCommand"
        $errors[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $errors[0].TargetObject | Should -Be $target
        Get-NssListing $profileDirectory | Should -Not -Match 'MailTls - '

        # A wrong pin: refused too.
        $null = Import-MailRootCa -FromEndpoint $target -Protocol Imap -Security Implicit -AllowSelfSignedLeaf -Thumbprint ('00' * 32) -Store Nss -ProfilePath $profileDirectory -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "ThumbprintMismatch,$($CommandPrefix)ImportMailRootCaCommand"
        $errors[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $errors[0].TargetObject | Should -Be $target
        Get-NssListing $profileDirectory | Should -Not -Match 'MailTls - '

        # The right pin, with separators and in lower case.
        $pinned = ($pin.ToLower() -split '(..)' | Where-Object { $_ }) -join ':'
        $changes = Import-MailRootCa -FromEndpoint $target -Protocol Imap -Security Implicit -AllowSelfSignedLeaf -Thumbprint $pinned -Store Nss -ProfilePath $profileDirectory -RemoveExemption -Confirm:$false -PassThru
        ($changes | Where-Object Store -eq 'Nss').Action | Should -Be 'Added'
        ($changes | Where-Object Action -eq 'ExemptionRemoved').Subject | Should -Be $target
        Get-Content $override | Should -Be @('# PSM Certificate Override Settings file', "other.example:993:`tOID.2.16.840.1.101.3.4.2.1`tCC:DD`t")
        @(Get-ChildItem $profileDirectory -Filter 'cert_override.txt.*.mailtls-backup').Count | Should -Be 1
    }

    It 'imports the root a server sends, and refuses a server that sends none' {
        $profileDirectory = Initialize-NssProfile
        $sender = "$($State.cases.untrustedroot):$($State.ports.imaps)"
        $root = (Test-MailEndpoint $sender -Protocol Imap -Security Implicit).Chain[-1]
        $change = Import-MailRootCa -FromEndpoint $sender -Protocol Imap -Security Implicit -Thumbprint $root.Thumbprint -Store Nss -ProfilePath $profileDirectory -Confirm:$false -PassThru
        $change.Subject | Should -Be 'CN=MailTls Untrusted Root CA, O=MailTls tests'

        $null = Import-MailRootCa -FromEndpoint "$($State.cases.good):$($State.ports.imaps)" -Protocol Imap -Security Implicit -Thumbprint $RootSha256 -Store Nss -ProfilePath $profileDirectory -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "RootNotSent,$($CommandPrefix)ImportMailRootCaCommand"
    }

    It 'writes <ErrorId> for <Case>, and imports nothing' -ForEach @(
        @{ Case = 'a server certificate (not a CA)'; ErrorId = 'CertificateNotCa'; Make = { param($dir) (Join-Path (Split-Path $State.root) 'good/leaf.pem') } }
        @{ Case = 'an intermediate CA'; ErrorId = 'CertificateNotRoot'; Make = { param($dir) (Join-Path (Split-Path $State.root) 'intermediate.pem') } }
        @{ Case = 'a PEM with a private key'; ErrorId = 'CertificateHasPrivateKey'; Make = {
                param($dir)
                $f = Join-Path $dir 'with-key.pem'
                (Get-Content -Raw $State.root) + (Get-Content -Raw (Join-Path (Split-Path $State.root) 'good/key.pem')) | Set-Content $f
                $f
            }
        }
        @{ Case = 'a garbage file'; ErrorId = 'CertificateFileInvalid'; Make = { param($dir) $f = Join-Path $dir 'garbage.pem'; 'not a certificate' | Set-Content $f; $f } }
        @{ Case = 'a missing file'; ErrorId = 'CertificateFileNotFound'; Make = { param($dir) Join-Path $dir 'missing.pem' } }
        @{ Case = 'a PFX with its private key'; ErrorId = 'CertificateHasPrivateKey'; Make = {
                param($dir)
                $key = [System.Security.Cryptography.ECDsa]::Create()
                $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=Keyed CA', $key, 'SHA256')
                $request.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
                $pfx = Join-Path $dir 'keyed.pfx'
                [IO.File]::WriteAllBytes($pfx, $request.CreateSelfSigned([datetimeoffset]::UtcNow.AddDays(-1), [datetimeoffset]::UtcNow.AddDays(30)).Export('Pfx'))
                $pfx
            }
        }
        @{ Case = 'an expired CA'; ErrorId = 'CertificateExpired'; Make = {
                param($dir)
                $key = [System.Security.Cryptography.ECDsa]::Create()
                $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=Expired CA', $key, 'SHA256')
                $request.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
                $file = Join-Path $dir 'expired.cer'
                [IO.File]::WriteAllBytes($file, $request.CreateSelfSigned([datetimeoffset]::UtcNow.AddDays(-60), [datetimeoffset]::UtcNow.AddDays(-1)).Export('Cert'))
                $file
            }
        }
    ) {
        $profileDirectory = Initialize-NssProfile
        $file = & $Make $TestDrive
        $null = Import-MailRootCa -Path $file -Store Nss -ProfilePath $profileDirectory -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be "$ErrorId,$($CommandPrefix)ImportMailRootCaCommand"
        $errors[0].TargetObject | Should -Be $file
        $errors[0].Exception.Message | Should -Not -BeNullOrEmpty
        Get-NssListing $profileDirectory | Should -Not -Match 'MailTls - '
    }

    It 'writes <ErrorId> for an endpoint <Case>' -ForEach @(
        @{ Case = 'that refuses the connection'; Target = 'smtp://127.0.0.1:1'; ErrorId = 'EndpointUnreachable'; Category = 'ConnectionError' }
        @{ Case = 'given without a port'; Target = '127.0.0.1'; ErrorId = 'EndpointPortRequired'; Category = 'InvalidArgument' }
    ) {
        $profileDirectory = Initialize-NssProfile
        $null = Import-MailRootCa -FromEndpoint $Target -Thumbprint $RootSha256 -Store Nss -ProfilePath $profileDirectory -TimeoutSeconds 2 -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "$ErrorId,$($CommandPrefix)ImportMailRootCaCommand"
        $errors[0].CategoryInfo.Category | Should -Be $Category
        $errors[0].TargetObject | Should -Be $Target
        Get-NssListing $profileDirectory | Should -Not -Match 'MailTls - '
    }

    It 'names a folder that is not a profile (ProfileNotFound) and goes on' {
        $null = Import-MailRootCa -Path $RootPath -Store Nss -ProfilePath (Join-Path $TestDrive 'nowhere') -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "ProfileNotFound,$($CommandPrefix)ImportMailRootCaCommand"
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Import-MailRootCa on the Debian system store' -Skip:(-not $HaveServers -or -not $CanSandboxSystem) {
    It 'trusts the root through update-ca-certificates so OpenSSL verifies the chain, and forgets it with Remove-MailRootCa' {
        # A private mount namespace puts empty folders over the system store and its hooks, so the real tool runs on
        # real paths and the machine's own trust (and Java's keystore queue) is never touched.
        $sandbox = Join-Path $TestDrive 'system'
        foreach ($folder in 'local', 'etc', 'backups', 'hooks', 'java') { $null = New-Item -ItemType Directory -Path (Join-Path $sandbox $folder) }
        $leaf = Join-Path (Split-Path $State.root) 'good/leaf.pem'
        $intermediate = Join-Path (Split-Path $State.root) 'intermediate.pem'
        $inner = Join-Path $TestDrive 'system-store.ps1'
        @"
Import-Module '$ModulePath'
`$a = Import-MailRootCa -Path '$RootPath' -Store System -Confirm:`$false -PassThru -Verify '$($State.cases.good):$($State.ports.imaps)' -Protocol Imap -Security Implicit
`$verified = `$a | Where-Object { `$_ -is [MailTls.EndpointReport] }
`$a = `$a | Where-Object { `$_ -is [MailTls.MailRootCaChange] }
& openssl verify -CAfile /etc/ssl/certs/ca-certificates.crt -untrusted '$intermediate' '$leaf' | Out-Null; `$trusted = `$LASTEXITCODE
`$listed = @(Get-MailRootCa -Store System).Count
`$r = Get-MailRootCa -Store System | Remove-MailRootCa -Confirm:`$false -PassThru
& openssl verify -CAfile /etc/ssl/certs/ca-certificates.crt -untrusted '$intermediate' '$leaf' 2>`$null | Out-Null
'{0}|{1}|{2}|{3}|{4}|{5}' -f `$a.Action, `$trusted, `$listed, `$r.Action, `$LASTEXITCODE, `$verified.ChainTrusted
"@ | Set-Content $inner
        # The hooks too (Java's keystore hook queues changes for dpkg): an empty hooks folder runs none of them.
        $mounts = "mount --bind '$sandbox/local' /usr/local/share/ca-certificates && mount --bind '$sandbox/etc' /etc/ssl/certs && " +
            "mkdir -p /var/backups && mount --bind '$sandbox/backups' /var/backups && " +
            "mkdir -p /etc/ca-certificates/update.d && mount --bind '$sandbox/hooks' /etc/ca-certificates/update.d && " +
            "mkdir -p /var/lib/ca-certificates-java && mount --bind '$sandbox/java' /var/lib/ca-certificates-java"
        $line = & unshare -m bash -c "$mounts && dotnet pwsh -NoProfile -NonInteractive -File '$inner'"
        $LASTEXITCODE | Should -Be 0
        # -Verify probed the server afterwards and found its chain trusted by this machine alone.
        $line | Should -Be 'Added|0|1|Removed|2|True'
    }
}

Describe 'Import-MailRootCa without administrator rights' -Skip:(-not $HaveServers -or -not $CanSandboxSystem -or -not (Get-Command runuser -ErrorAction Ignore)) {
    It 'says the system store needs root (StorePermissionDenied), writes nothing and goes on with the next item' {
        # The user "nobody" runs the built module. pwsh lives in root's NuGet cache, which nobody cannot enter: a
        # private mount namespace binds it to a readable path (the machine's own mounts are untouched).
        $sandbox = Join-Path $TestDrive 'nobody'
        $null = New-Item -ItemType Directory -Path "$sandbox/pwsh", "$sandbox/home"
        Copy-Item $RootPath "$sandbox/root.pem"
        & chmod -R a+rX $sandbox
        & chown nobody "$sandbox/home"
        $inner = "$sandbox/inner.ps1"
        @"
Import-Module '$ModulePath'
`$errors = @()
'$sandbox/root.pem', '$sandbox/root.pem' | Import-MailRootCa -Store System -Confirm:`$false -ErrorVariable +errors -ErrorAction SilentlyContinue
`$errors | ForEach-Object { '{0}|{1}|{2}|{3}' -f `$_.FullyQualifiedErrorId, `$_.CategoryInfo.Category, `$_.TargetObject, (`$_.ToString() -match 'sudo pwsh') }
"@ | Set-Content $inner
        & chmod a+r $inner
        $before = @(Get-ChildItem /usr/local/share/ca-certificates -Filter 'mailtls-*' -ErrorAction Ignore).Count
        $lines = & unshare -m bash -c "mount --bind '$PSHOME' '$sandbox/pwsh' && runuser -u nobody -- env HOME='$sandbox/home' DOTNET_CLI_HOME='$sandbox/home' DOTNET_NOLOGO=1 dotnet '$sandbox/pwsh/pwsh.dll' -NoProfile -NonInteractive -File '$inner'"
        $LASTEXITCODE | Should -Be 0
        # Both piped files were tried: one error each, so the first did not end the pipeline.
        $lines | Should -Be @(
            'StorePermissionDenied,MailTls.PowerShell.Commands.ImportMailRootCaCommand|PermissionDenied|/usr/local/share/ca-certificates|True',
            'StorePermissionDenied,MailTls.PowerShell.Commands.ImportMailRootCaCommand|PermissionDenied|/usr/local/share/ca-certificates|True')
        @(Get-ChildItem /usr/local/share/ca-certificates -Filter 'mailtls-*' -ErrorAction Ignore).Count | Should -Be $before
    }
}

Describe "Import-MailRootCa into Thunderbird's enterprise policy" -Skip:(-not $HaveServers) {
    It 'installs the root through policies.json, keeping other policies, and Get | Remove takes only its own entry out' {
        $policy = Join-Path $TestDrive 'tb-policies/policies.json'
        $null = New-Item -ItemType Directory -Path (Split-Path $policy)
        '{ "policies": { "DisableAppUpdate": true, "Certificates": { "Install": ["corp.der"] } } }' | Set-Content $policy
        $change = Import-MailRootCa -Path $RootPath -Store Thunderbird -PolicyPath $policy -Confirm:$false -PassThru
        $change.Action | Should -Be 'Added'
        $change.Location | Should -Be $policy
        (Import-MailRootCa -Path $RootPath -Store Thunderbird -PolicyPath $policy -Confirm:$false -PassThru).Action | Should -Be 'AlreadyTrusted'
        $json = Get-Content $policy -Raw | ConvertFrom-Json
        $json.policies.DisableAppUpdate | Should -BeTrue
        $json.policies.Certificates.Install.Count | Should -Be 2
        $json.policies.Certificates.Install[0] | Should -Be 'corp.der'

        $entry = Get-MailRootCa -Store Thunderbird -PolicyPath $policy
        $entry.Sha256Fingerprint | Should -Be $RootSha256
        $entry.PolicyPath | Should -Be $policy
        $removed = $entry | Remove-MailRootCa -Confirm:$false -PassThru -WarningVariable warned -WarningAction SilentlyContinue
        $removed.Action | Should -Be 'Removed'
        $warned | Should -Match 'certificate manager'
        (Get-Content $policy -Raw | ConvertFrom-Json).policies.Certificates.Install | Should -Be 'corp.der'
    }

    It 'names a policy file that is not JSON (PolicyFileInvalid) and leaves it as it was' {
        $policy = Join-Path $TestDrive 'bad-policies.json'
        '{ "policies": ' | Set-Content $policy -NoNewline
        Import-MailRootCa -Path $RootPath -Store Thunderbird -PolicyPath $policy -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -Be 'PolicyFileInvalid,MailTls.PowerShell.Commands.ImportMailRootCaCommand'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $failed[0].TargetObject | Should -Be $policy
        Get-Content $policy -Raw | Should -Be '{ "policies": '
    }

    It 'is read by the real Thunderbird, which imports the root into a new profile' -Skip:(-not $IsLinux -or -not (Get-Command thunderbird -ErrorAction Ignore) -or -not $CanSandboxSystem) {
        # Thunderbird reads /etc/thunderbird/policies/policies.json. A private mount namespace puts a copy of
        # /etc/thunderbird there with our policy, and a private network namespace (loopback only) keeps Thunderbird's
        # start-up requests on this machine: nothing can leave it.
        $etc = Join-Path $TestDrive 'etc-thunderbird'
        $null = New-Item -ItemType Directory -Path $etc
        if (Test-Path /etc/thunderbird) { Copy-Item /etc/thunderbird/* $etc -Recurse }
        $policy = Join-Path $etc 'policies/policies.json'
        $null = New-Item -ItemType Directory -Path (Split-Path $policy) -Force
        (Import-MailRootCa -Path $RootPath -Store Thunderbird -PolicyPath $policy -Confirm:$false -PassThru).Action | Should -Be 'Added'
        # The file names the certificate by an absolute path: the one Thunderbird will see is the same path in the namespace.
        $profileDirectory = Join-Path $TestDrive 'tb-profile'
        $null = New-Item -ItemType Directory -Path $profileDirectory, (Join-Path $TestDrive 'tb-home')
        $script = Join-Path $TestDrive 'thunderbird.sh'
        @"
ip link set lo up
mount --bind '$etc' /etc/thunderbird
export HOME='$TestDrive/tb-home'
thunderbird --headless --profile '$profileDirectory' > '$TestDrive/thunderbird.log' 2>&1 &
pid=`$!
for i in `$(seq 1 60); do
  [ -f '$profileDirectory/cert9.db' ] && certutil -L -d 'sql:$profileDirectory' 2>/dev/null | grep -q 'MailTls Test Root CA' && break
  sleep 0.5
done
kill `$pid; wait `$pid 2>/dev/null
certutil -L -d 'sql:$profileDirectory'
"@ | Set-Content $script
        $listing = (& unshare -m -n bash $script) -join "`n"
        $listing | Should -Match 'MailTls Test Root CA'
    }
}

Describe 'Import-MailRootCa on a macOS keychain' -Skip:(-not $IsMacOS) {
    It 'trusts a CA in a temporary keychain, lists it by its marker and removes it with its trust settings' {
        $ca = Get-FreshPesterCa
        $file = Join-Path $TestDrive 'pester-ca.cer'
        [IO.File]::WriteAllBytes($file, $ca.Export('Cert'))
        $keychain = Join-Path $TestDrive 'mailtls-test.keychain-db'
        & security create-keychain -p 'mailtls-test' $keychain
        & security unlock-keychain -p 'mailtls-test' $keychain
        try {
            (Import-MailRootCa -Path $file -Store User -KeychainPath $keychain -Confirm:$false -PassThru).Action | Should -Be 'Added'
            (& security find-certificate -a -Z $keychain) -join "`n" | Should -Match $ca.Thumbprint
            (Import-MailRootCa -Path $file -Store User -KeychainPath $keychain -Confirm:$false -PassThru).Action | Should -Be 'AlreadyTrusted'
            $entry = Get-MailRootCa -Store User -KeychainPath $keychain
            $entry.Thumbprint | Should -Be $ca.Thumbprint
            ($entry | Remove-MailRootCa -Confirm:$false -PassThru).Action | Should -Be 'Removed'
            (& security find-certificate -a -Z $keychain) -join "`n" | Should -Not -Match $ca.Thumbprint
        }
        finally {
            & security remove-trusted-cert $file 2>$null
            & security delete-keychain $keychain
        }
    }
}

Describe 'Import-MailRootCa on the Windows LocalMachine Root store' -Skip:(-not $IsWindows -and $PSVersionTable.PSEdition -ne 'Desktop') {
    # LocalMachine, not CurrentUser: adding to CurrentUser\Root opens a confirmation dialog that would hang a runner.
    It 'adds a CA with its MailTls name, lists it and removes it again' {
        $ca = Get-FreshPesterCa
        $file = Join-Path $TestDrive 'pester-ca.cer'
        [IO.File]::WriteAllBytes($file, $ca.Export('Cert'))
        try {
            (Import-MailRootCa -Path $file -Store System -Confirm:$false -PassThru).Action | Should -Be 'Added'
            Test-Path "Cert:\LocalMachine\Root\$($ca.Thumbprint)" | Should -BeTrue
            (Get-Item "Cert:\LocalMachine\Root\$($ca.Thumbprint)").FriendlyName | Should -Be 'MailTls - MailTls Pester CA'
            (Import-MailRootCa -Path $file -Store System -Confirm:$false -PassThru).Action | Should -Be 'AlreadyTrusted'
            $entry = Get-MailRootCa -Store System | Where-Object Thumbprint -eq $ca.Thumbprint
            $entry | Should -Not -BeNullOrEmpty
            ($entry | Remove-MailRootCa -Confirm:$false -PassThru).Action | Should -Be 'Removed'
            Test-Path "Cert:\LocalMachine\Root\$($ca.Thumbprint)" | Should -BeFalse
        }
        finally {
            Remove-Item "Cert:\LocalMachine\Root\$($ca.Thumbprint)" -ErrorAction Ignore
        }
    }
}
