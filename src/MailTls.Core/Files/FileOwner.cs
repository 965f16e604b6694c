#if NET
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;

namespace MailTls.Files
{
    /// <summary>
    /// Keeps a file's owner when root rewrites it (Set-ClientSsl -AllUsers): the new file would otherwise belong to
    /// root and the user's client could no longer save its settings. .NET has no chown, and stat's layout differs
    /// between platforms, so the system's own chown copies the owner; only root can change an owner anyway.
    /// </summary>
    internal static class FileOwner
    {
        [DllImport("libc", EntryPoint = "geteuid")]
        private static extern uint GetEffectiveUserId();

        /// <summary>Gives <paramref name="target"/> the owner and group of <paramref name="source"/> (root only; otherwise the file is ours already).</summary>
        /// <exception cref="IOException">chown failed.</exception>
        public static void Copy(string source, string target)
        {
            if (GetEffectiveUserId() != 0)
            {
                return;
            }

            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                Run("chown", "--reference=" + source, target);
                return;
            }

            var owner = Run("stat", "-f", "%u:%g", source).Trim();
            Run("chown", owner, target);
        }

        private static string Run(string tool, params string[] arguments)
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new IOException($"{tool} could not be started.");
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new IOException($"{tool} failed to keep the owner of '{arguments[arguments.Length - 1]}': {error.Trim()}");
            }

            return output;
        }
    }
}
#endif
