using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.Trust
{
    /// <summary>The result of one run of a store's own tool (update-ca-certificates, certutil, security).</summary>
    internal sealed class ToolResult
    {
        public ToolResult(int exitCode, string output, string error)
        {
            ExitCode = exitCode;
            Output = output;
            Error = error;
        }

        public int ExitCode { get; }

        public string Output { get; }

        public string Error { get; }
    }

    /// <summary>Runs a store tool with arguments passed as a list (never through a shell), bounded in time.</summary>
    internal static class ToolRunner
    {
        private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

        /// <exception cref="TrustStoreException">The tool is missing, or did not finish in time.</exception>
        public static async Task<ToolResult> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo(tool)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                CreateNoWindow = true,
            };
#if NET
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
#else
            start.Arguments = string.Join(" ", System.Linq.Enumerable.Select(arguments, Quote));
#endif
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new TrustStoreException("ToolNotStarted", tool, $"'{tool}' did not start.");
            }
            catch (Win32Exception ex)
            {
                throw new TrustStoreException("ToolNotFound", tool, $"'{tool}' is not installed or not on PATH ({ex.Message}).", ex);
            }

            using (process)
            {
                process.StandardInput.Close();
                var output = process.StandardOutput.ReadToEndAsync();
                var error = process.StandardError.ReadToEndAsync();
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bounded.CancelAfter(Limit);
                var exited = new TaskCompletionSource<bool>();
                process.EnableRaisingEvents = true;
                process.Exited += (_, _) => exited.TrySetResult(true);
                if (process.HasExited)
                {
                    exited.TrySetResult(true);
                }

                using (bounded.Token.Register(() => exited.TrySetCanceled()))
                {
                    try
                    {
                        await exited.Task.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        try
                        {
                            process.Kill();
                        }
                        catch (InvalidOperationException)
                        {
                            // It ended meanwhile.
                        }

                        cancellationToken.ThrowIfCancellationRequested();
                        throw new TrustStoreException("ToolTimedOut", tool, $"'{tool}' did not finish within {Limit.TotalMinutes} minutes.");
                    }
                }

                process.WaitForExit();
                return new ToolResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
            }
        }

#if !NET
        private static string Quote(string argument) =>
            argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '"', '\\' }) < 0
                ? argument
                : "\"" + argument.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
#endif
    }
}
