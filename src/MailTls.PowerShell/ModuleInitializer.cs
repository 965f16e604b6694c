using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MailTls.PowerShell
{
    /// <summary>
    /// Loads the engine (MailTls.Core) and its libraries (MailKit, MimeKit, BouncyCastle) for the running edition, on
    /// demand, so importing the module loads none of the TLS and mail libraries. PowerShell 7: the module's own
    /// AssemblyLoadContext over Dependencies/net8.0 or its ReadyToRun edition (see <see cref="EngineFolder"/>), so they
    /// never clash with another module's versions. Windows PowerShell 5.1, which has no load contexts: an
    /// AssemblyResolve handler over Dependencies/netstandard2.0.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly bool IsDesktop = RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        private static readonly string Dependencies = Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".", "Dependencies");

        // The load context's own assembly is the same for every PowerShell 7.
        private static readonly string IsolationFolder = Path.Combine(Dependencies, "net8.0");

        private static readonly string DependencyFolder = IsDesktop ? Path.Combine(Dependencies, "netstandard2.0") : EngineFolder(Dependencies, Environment.Version, RuntimeIdentifier());

        /// <inheritdoc />
        public void OnImport()
        {
            if (IsDesktop)
            {
                AppDomain.CurrentDomain.AssemblyResolve += ResolveOnDesktop;
                return;
            }

            TrustStoreWarmUp.Begin();

            // The load context type needs .NET 8, which this netstandard2.0 assembly cannot reference: one reflected call.
            var isolation = Assembly.LoadFrom(Path.Combine(IsolationFolder, "MailTls.PowerShell.Isolation.dll"));
            isolation.GetType("MailTls.PowerShell.Isolation.ModuleLoadContext", throwOnError: true)!
                .GetMethod("Register", BindingFlags.Public | BindingFlags.Static)!
                .Invoke(null, new object[] { DependencyFolder });
        }

        /// <inheritdoc />
        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            if (IsDesktop)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= ResolveOnDesktop;
            }

            // On PowerShell 7 the load context stays: assemblies cannot be unloaded from a non-collectible context,
            // and a re-import finds it registered already.
        }

        /// <summary>
        /// Where PowerShell 7 loads the engine from: Dependencies/net10.0-&lt;rid&gt; on .NET 10 and later when the module
        /// ships that platform's ReadyToRun edition (precompiled code, so the first probe spends less time in the JIT),
        /// otherwise the portable Dependencies/net8.0. A later runtime may refuse the precompiled code, as .NET 10 refuses
        /// .NET 8's; it then compiles the edition's IL like any other, and the Pester suite's JIT count says so.
        /// </summary>
        private static string EngineFolder(string dependencies, Version runtime, string? runtimeIdentifier)
        {
            if (runtime.Major >= 10 && runtimeIdentifier != null)
            {
                var precompiled = Path.Combine(dependencies, "net10.0-" + runtimeIdentifier);
                if (File.Exists(Path.Combine(precompiled, "MailTls.Core.dll")))
                {
                    return precompiled;
                }
            }

            return Path.Combine(dependencies, "net8.0");
        }

        /// <summary>The portable runtime identifier of this process (linux-x64, win-arm64, osx-arm64), or null for others.</summary>
        private static string? RuntimeIdentifier()
        {
            var os = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "linux"
                : RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
                : null;
            var architecture = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "x64",
                Architecture.Arm64 => "arm64",
                _ => null,
            };
            return os == null || architecture == null ? null : os + "-" + architecture;
        }

        private static Assembly? ResolveOnDesktop(object? sender, ResolveEventArgs args)
        {
            var name = new AssemblyName(args.Name).Name;
            if (string.IsNullOrEmpty(name))
            {
                return null;
            }

            var path = Path.Combine(DependencyFolder, name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }
}
