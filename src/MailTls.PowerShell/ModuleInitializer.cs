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
    /// AssemblyLoadContext over Dependencies/net8.0 (MailTls.PowerShell.Isolation), so they never clash with another
    /// module's versions. Windows PowerShell 5.1, which has no load contexts: an AssemblyResolve handler over
    /// Dependencies/netstandard2.0.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly bool IsDesktop = RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        private static readonly string DependencyFolder = Path.Combine(
            Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".",
            "Dependencies",
            IsDesktop ? "netstandard2.0" : "net8.0");

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
            var isolation = Assembly.LoadFrom(Path.Combine(DependencyFolder, "MailTls.PowerShell.Isolation.dll"));
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
