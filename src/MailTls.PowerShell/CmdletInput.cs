using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using MailTls.Tls;

namespace MailTls.PowerShell
{
    /// <summary>What several cmdlets take alike (certificates, trusted roots, DNS servers), and their error records.</summary>
    internal static class CmdletInput
    {
        /// <summary>
        /// Loads one input. Errors are "&lt;prefix&gt;NotFound" (ObjectNotFound), "&lt;prefix&gt;Unreadable" (ReadError) and
        /// "&lt;prefix&gt;Invalid" (InvalidData or InvalidArgument), with the input as target.
        /// </summary>
        public static IReadOnlyList<X509Certificate2>? Load(PSCmdlet cmdlet, object? item, string prefix, out ErrorRecord? error)
        {
            error = null;
            var value = item is PSObject wrapped ? wrapped.BaseObject : item;
            if (value is X509Certificate2 certificate)
            {
                return new[] { certificate };
            }

            var text = value?.ToString() ?? string.Empty;
            try
            {
                var path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(text);
                return CertificateFile.Load(path);
            }
            catch (FileNotFoundException ex)
            {
                error = Record(ex, prefix + "NotFound", ErrorCategory.ObjectNotFound, text,
                    $"The certificate file '{text}' does not exist. Give the path of a PEM, DER or PKCS#7 file, or an X509Certificate2.");
            }
            catch (PrivateKeyMaterialException ex)
            {
                error = Record(ex, "CertificateHasPrivateKey", ErrorCategory.SecurityError, text, ex.Message);
            }
            catch (InvalidDataException ex)
            {
                error = Record(ex, prefix + "Invalid", ErrorCategory.InvalidData, text, $"{ex.Message} Give a CA certificate file (PEM, DER or PKCS#7).");
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException || ex is IOException)
            {
                error = Record(ex, prefix + "Unreadable", ErrorCategory.ReadError, text, $"The certificate file '{text}' cannot be read: {ex.Message} Check the path and its permissions.");
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is ItemNotFoundException
                || ex is System.Management.Automation.DriveNotFoundException || ex is ProviderNotFoundException)
            {
                error = Record(ex, prefix + "Invalid", ErrorCategory.InvalidArgument, text, $"'{text}' is neither an X509Certificate2 nor a certificate file path: {ex.Message}");
            }

            return null;
        }

        /// <summary>
        /// A report of Test-MailEndpoint, live or deserialized, read by property name; input that is not one is the
        /// error InputNotReport (the pipeline goes on) and gives null.
        /// </summary>
        public static MailTls.Reports.ReportRecord? ReadReport(PSCmdlet cmdlet, object item)
        {
            try
            {
                return MailTls.Reports.ReportRecord.Read(item, (o, name) => PSObject.AsPSObject(o).Properties[name]?.Value);
            }
            catch (FormatException ex)
            {
                cmdlet.WriteError(Record(ex, "InputNotReport", ErrorCategory.InvalidType, item, ex.Message));
                return null;
            }
        }

        /// <summary>The -TrustedRootCertificate values as certificates; a bad one is an error record, and the rest still count.</summary>
        public static IEnumerable<X509Certificate2> TrustedRoots(PSCmdlet cmdlet, object[]? items)
        {
            foreach (var item in items ?? Array.Empty<object>())
            {
                var loaded = Load(cmdlet, item, "TrustedRootCertificate", out var error);
                if (error != null)
                {
                    cmdlet.WriteError(error);
                    continue;
                }

                foreach (var root in loaded!)
                {
                    yield return root;
                }
            }
        }

        /// <summary>The -DnsServer values as endpoints; one that is not an address stops the command (DnsServerInvalid).</summary>
        public static IReadOnlyList<System.Net.IPEndPoint> DnsServers(PSCmdlet cmdlet, string[]? texts)
        {
            var servers = new List<System.Net.IPEndPoint>();
            foreach (var text in texts ?? Array.Empty<string>())
            {
                if (!MailTls.Endpoints.DnsServerAddress.TryParse(text, out var server))
                {
                    cmdlet.ThrowTerminatingError(Record(new ArgumentException(text), "DnsServerInvalid", ErrorCategory.InvalidArgument, text,
                        $"'{text}' is not a DNS server address. Give an address, optionally with a port: 192.0.2.53, 192.0.2.53:5353 or [2001:db8::53]:53."));
                }

                servers.Add(server);
            }

            return servers;
        }

        public static ErrorRecord Record(Exception exception, string errorId, ErrorCategory category, object? target, string message) =>
            new ErrorRecord(exception, errorId, category, target) { ErrorDetails = new ErrorDetails(message) };
    }
}
