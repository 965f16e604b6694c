using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace MailTls.Bench
{
    /// <summary>Runs the peers' and pwsh's processes, and the statistics every section uses.</summary>
    internal static class Shell
    {
        /// <summary>Runs a process to its end; its standard output. A non-zero exit throws unless <paramref name="anyExitCode"/>.</summary>
        public static string Run(string file, IEnumerable<string> arguments, string? directory = null, bool anyExitCode = false, IReadOnlyDictionary<string, string>? environment = null)
        {
            var start = new ProcessStartInfo(file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = directory ?? Environment.CurrentDirectory,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            {
                start.Environment[name] = value;
            }

            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0 && !anyExitCode)
            {
                throw new InvalidOperationException($"{file} {string.Join(" ", arguments)} failed ({process.ExitCode}): {stderr.Result}");
            }

            return stdout.Result;
        }

        /// <summary>How long a process takes, start to exit.</summary>
        public static double Milliseconds(string file, IEnumerable<string> arguments, bool anyExitCode = false)
        {
            var clock = Stopwatch.StartNew();
            Run(file, arguments, anyExitCode: anyExitCode);
            return clock.Elapsed.TotalMilliseconds;
        }

        public static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        /// <summary>The pwsh the repository pins (the .NET tool's own executable), found once through `dotnet pwsh`.</summary>
        public static string Pwsh(string repository) =>
            System.IO.Path.Combine(Run("dotnet", new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", "$PSHOME" }, repository).Trim(), "pwsh");

        /// <summary>Runs a script in a fresh pwsh; its output lines.</summary>
        public static string[] PwshScript(string pwsh, string script, IReadOnlyDictionary<string, string>? environment = null) =>
            Run(pwsh, new[] { "-NoProfile", "-NonInteractive", "-Command", script }, environment: environment).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
