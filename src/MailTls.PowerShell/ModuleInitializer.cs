using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MailTls.PowerShell
{
    /// <summary>
    /// Loads the core and its libraries (MailKit, MimeKit, BouncyCastle) for the running edition from
    /// Dependencies/net8.0 (PowerShell 7) or Dependencies/netstandard2.0 (Windows PowerShell 5.1), on demand:
    /// importing the module loads none of the TLS and mail libraries; the first probe does.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string DependencyFolder = Path.Combine(
            Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".",
            "Dependencies",
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal) ? "netstandard2.0" : "net8.0");

        /// <inheritdoc />
        public void OnImport() => AppDomain.CurrentDomain.AssemblyResolve += Resolve;

        /// <inheritdoc />
        public void OnRemove(PSModuleInfo psModuleInfo) => AppDomain.CurrentDomain.AssemblyResolve -= Resolve;

        private static Assembly? Resolve(object? sender, ResolveEventArgs args)
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
