using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using MailTls.Policy;

namespace MailTls.PowerShell
{
    /// <summary>
    /// The -Policy argument: a built-in name (Baseline, Strict), the path of a .psd1 or .json policy file, a hashtable,
    /// or a policy object. A policy judges every endpoint of the run, so one that cannot be read stops the command
    /// before anything is probed, with an error naming the file and field.
    /// </summary>
    internal static class PolicyInput
    {
        public static ProbePolicy Resolve(PSCmdlet cmdlet, object? argument)
        {
            var value = argument is PSObject wrapped ? wrapped.BaseObject : argument;
            try
            {
                switch (value)
                {
                    case null:
                        return ProbePolicy.Baseline;
                    case ProbePolicy policy:
                        return policy;
                    case IDictionary table:
                        return PolicyReader.Read(Plain(table), "the -Policy hashtable", baseDirectory: cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath);
                    default:
                        var text = value.ToString() ?? string.Empty;
                        return ProbePolicy.FromName(text) ?? ReadFile(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(text));
                }
            }
            catch (PolicyInvalidException ex)
            {
                var category = ex.ErrorId == "PolicyNotFound" ? ErrorCategory.ObjectNotFound
                    : ex.ErrorId == "PolicyUnreadable" ? ErrorCategory.InvalidData
                    : ErrorCategory.InvalidArgument;
                cmdlet.ThrowTerminatingError(CmdletInput.Record(ex, ex.ErrorId, category, argument, ex.Message));
                throw; // not reached: ThrowTerminatingError always throws
            }
        }

        /// <summary>A policy that trusts only given roots, with none given, would fail every endpoint: stop instead.</summary>
        public static void RequireRoots(PSCmdlet cmdlet, ProbePolicy policy, int rootsGiven)
        {
            if (policy.RequiredTrust == TrustRequirement.TrustedRoots && policy.TrustedRoots.Count + rootsGiven == 0)
            {
                cmdlet.ThrowTerminatingError(CmdletInput.Record(new ArgumentException(policy.Name), "PolicyRootsMissing", ErrorCategory.InvalidArgument, policy.Name,
                    $"The policy {policy.Name} trusts only given roots (RequiredTrust = TrustedRoots), but none were given. Add TrustedRootCertificate to the policy, or pass -TrustedRootCertificate."));
            }
        }

        private static ProbePolicy ReadFile(string path)
        {
            var extension = Path.GetExtension(path);
            if (string.Equals(extension, ".json", StringComparison.OrdinalIgnoreCase))
            {
                return PolicyReader.ReadJsonFile(path);
            }

            if (!string.Equals(extension, ".psd1", StringComparison.OrdinalIgnoreCase))
            {
                throw new PolicyInvalidException("PolicyNotFound", path,
                    $"'{path}' is neither a built-in policy (Baseline, Strict) nor a policy file: give a .psd1 or .json file.");
            }

            if (!File.Exists(path))
            {
                throw new PolicyInvalidException("PolicyNotFound", path, $"The policy file '{path}' does not exist. Give a path to a .json or .psd1 policy, or a built-in name: Baseline or Strict.");
            }

            // Parsed, never run: SafeGetValue accepts only constant data, like Import-PowerShellDataFile.
            var ast = Parser.ParseFile(path, out _, out var errors);
            if (errors.Length > 0)
            {
                throw new PolicyInvalidException("PolicyUnreadable", path, $"The policy file '{path}' is not valid PowerShell data: {errors[0].Message} (line {errors[0].Extent.StartLineNumber}).");
            }

            var table = ast.EndBlock?.Statements.Count == 1 ? ast.Find(a => a is HashtableAst, searchNestedScriptBlocks: false) as HashtableAst : null;
            if (table == null)
            {
                throw new PolicyInvalidException("PolicyUnreadable", path, $"The policy file '{path}' must hold one hashtable, @{{ MinimumTlsVersion = '1.2'; ... }}.");
            }

            object? data;
            try
            {
                data = table.SafeGetValue();
            }
            catch (InvalidOperationException ex)
            {
                throw new PolicyInvalidException("PolicyUnreadable", path, $"The policy file '{path}' may hold only constant data (no variables or commands): {ex.Message}");
            }

            return PolicyReader.Read(Plain((IDictionary)data), path, Path.GetDirectoryName(path), Path.GetFileNameWithoutExtension(path));
        }

        /// <summary>PowerShell values as plain data: PSObject wrappers off, arrays as lists, nested hashtables alike.</summary>
        private static IDictionary Plain(IDictionary table)
        {
            var plain = new Hashtable(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in table)
            {
                plain[entry.Key?.ToString() ?? string.Empty] = PlainValue(entry.Value);
            }

            return plain;
        }

        private static object? PlainValue(object? value)
        {
            value = value is PSObject wrapped ? wrapped.BaseObject : value;
            return value switch
            {
                IDictionary table => Plain(table),
                string text => text,
                IEnumerable items => items.Cast<object?>().Select(PlainValue).ToArray(),
                SwitchParameter flag => flag.IsPresent,
                _ => value,
            };
        }
    }

    /// <summary>Completes -Policy with the built-in names; file paths complete as usual.</summary>
    public sealed class PolicyCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public System.Collections.Generic.IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            new[] { ProbePolicy.Baseline.Name, ProbePolicy.Strict.Name }
                .Where(n => n.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n + " policy"));
    }
}
