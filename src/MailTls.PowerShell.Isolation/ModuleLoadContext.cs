using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;

namespace MailTls.PowerShell.Isolation
{
    /// <summary>
    /// The module's own load context (Microsoft's two-assembly pattern for dependency conflicts): the engine,
    /// MailTls.Core, and everything it needs (MailKit, MimeKit, BouncyCastle) load here from Dependencies/net8.0 or
    /// from this platform's ReadyToRun edition (Dependencies/net10.0-&lt;rid&gt;), so another module's MailKit or
    /// BouncyCastle, of any version, never meets ours.
    /// </summary>
    public sealed class ModuleLoadContext : AssemblyLoadContext
    {
        private const string EngineName = "MailTls.Core";
        private static readonly object Gate = new object();

        // What the runtime and PowerShell itself ship (System.*, Microsoft.*), by name.
        private static readonly System.Collections.Generic.HashSet<string> PlatformAssemblies = new System.Collections.Generic.HashSet<string>(
            ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(path => Path.GetFileNameWithoutExtension(path)),
            StringComparer.OrdinalIgnoreCase);

        private static ModuleLoadContext? instance;
        private readonly string _directory;

        private ModuleLoadContext(string directory)
            : base("MailTls", isCollectible: false) => _directory = directory;

        /// <summary>
        /// Makes the default context resolve the engine (and only the engine) from this context. Called once per
        /// process by the cmdlet assembly's module initializer; later calls (re-import) change nothing.
        /// </summary>
        /// <param name="directory">The module's engine folder: Dependencies/net8.0, or its ReadyToRun edition Dependencies/net10.0-&lt;rid&gt;.</param>
        public static void Register(string directory)
        {
            lock (Gate)
            {
                if (instance != null)
                {
                    return;
                }

                instance = new ModuleLoadContext(directory);
                Default.Resolving += (_, name) => name.Name == EngineName ? instance.LoadFromAssemblyName(name) : null;
            }
        }

        /// <inheritdoc />
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            // The platform's assemblies from the default context, and MailTls.Model too (it is not in our folder, so it
            // resolves to the one copy PowerShell loaded beside the cmdlets); our libraries (MailKit, MimeKit,
            // BouncyCastle and the engine) from our folder, whatever versions other modules loaded elsewhere.
            if (assemblyName.Name == null)
            {
                return null;
            }

            var path = Path.Combine(_directory, assemblyName.Name + ".dll");
            if (PlatformAssemblies.Contains(assemblyName.Name) && !OlderThanAskedFor(assemblyName, path))
            {
                return null;
            }

            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        /// <summary>
        /// Whether the platform's copy is older than the version asked for while we ship one that is new enough: then
        /// ours loads here. System.Formats.Asn1 10 (which MailKit's dependencies bring) on a PowerShell 7.4 that runs
        /// on .NET 8: the default context would refuse the request with a FileLoadException.
        /// </summary>
        private static bool OlderThanAskedFor(AssemblyName asked, string ours)
        {
            if (asked.Version == null || !File.Exists(ours))
            {
                return false;
            }

            // The platform's copy as the default context has it (loaded already, or about to be for us anyway): reading
            // its version there is cheaper than reading the file's metadata, and ours is read only when it is too old.
            Version? platform;
            try
            {
                platform = Default.LoadFromAssemblyName(new AssemblyName(asked.Name!)).GetName().Version;
            }
            catch (Exception ex) when (ex is FileNotFoundException || ex is FileLoadException || ex is BadImageFormatException)
            {
                platform = null; // the platform's copy cannot load: ours, if it is new enough
            }

            if (platform != null && platform >= asked.Version)
            {
                return false;
            }

            var shipped = AssemblyName.GetAssemblyName(ours).Version;
            return shipped != null && shipped >= asked.Version;
        }
    }
}
