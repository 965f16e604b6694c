using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace MinimalMailKit
{
    /// <summary>On import: the default context resolves the engine from the module's own context over deps/.</summary>
    public sealed class Initializer : IModuleAssemblyInitializer
    {
        public void OnImport()
        {
            var context = new DependencyContext(Path.Combine(Path.GetDirectoryName(typeof(Initializer).Assembly.Location)!, "deps"));
            AssemblyLoadContext.Default.Resolving += (_, name) => name.Name == "MinimalMailKit.Engine" ? context.LoadFromAssemblyName(name) : null;
        }
    }

    /// <summary>The engine and MailKit from deps/; the platform's assemblies from the default context.</summary>
    internal sealed class DependencyContext : AssemblyLoadContext
    {
        private readonly string _directory;

        public DependencyContext(string directory)
            : base("MinimalMailKit") => _directory = directory;

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var path = Path.Combine(_directory, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }

    /// <summary>Test-ImapsHandshake host port root.pem: one MailKit IMAPS connection; the negotiated protocol.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "ImapsHandshake")]
    public sealed class TestImapsHandshakeCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        public string HostName { get; set; } = string.Empty;

        [Parameter(Mandatory = true, Position = 1)]
        public int Port { get; set; }

        [Parameter(Mandatory = true, Position = 2)]
        public string RootCertificate { get; set; } = string.Empty;

        protected override void ProcessRecord() => WriteObject(Handshake());

        // Not inlined, so the engine is resolved when the cmdlet runs, not when PowerShell loads the cmdlet's type.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private string Handshake() => Engine.ImapsHandshake.Run(HostName, Port, RootCertificate);
    }
}
