using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailTls.Tls;

namespace MailTls.PortPlan
{
    /// <summary>What one autoconfig address gave.</summary>
    public sealed class AutoconfigResult
    {
        internal AutoconfigResult(string url, bool secure, IReadOnlyList<AutoconfigServer> servers, string? note)
        {
            Url = url;
            Secure = secure;
            Servers = servers;
            Note = note;
        }

        /// <summary>The address asked.</summary>
        public string Url { get; }

        /// <summary>True for HTTPS with a trusted certificate; false for plain HTTP (a lower-trust source).</summary>
        public bool Secure { get; }

        /// <summary>The servers the file names (none when it failed).</summary>
        public IReadOnlyList<AutoconfigServer> Servers { get; }

        /// <summary>Why nothing came from it, in plain words; null when it worked.</summary>
        public string? Note { get; }
    }

    /// <summary>
    /// Fetches a domain's autoconfig files: HTTPS first (autoconfig.&lt;domain&gt; and &lt;domain&gt;/.well-known), trusting
    /// the system's roots and the given ones; plain HTTP only when HTTPS gave nothing, and marked as such. No proxy,
    /// no redirects, at most 1 MiB a body, and each request bounded in time. Names are resolved by the given
    /// <see cref="DnsDiscovery"/> (the same servers as the SRV look-ups) where the platform allows it.
    /// </summary>
    public sealed class AutoconfigFetcher
    {
        private readonly DnsDiscovery? _dns;
        private readonly X509Certificate2Collection _trustedRoots;
        private readonly TimeSpan _timeout;

        /// <summary>Creates a fetcher.</summary>
        /// <param name="dns">Resolves host names; null: the system resolver.</param>
        /// <param name="trustedRoots">Roots trusted besides the system's.</param>
        /// <param name="timeout">Bounds each request as a whole.</param>
        public AutoconfigFetcher(DnsDiscovery? dns, X509Certificate2Collection trustedRoots, TimeSpan timeout)
        {
            _dns = dns;
            _trustedRoots = trustedRoots ?? new X509Certificate2Collection();
            _timeout = timeout;
        }

        /// <summary>Asks every autoconfig address of <paramref name="domain"/> in turn.</summary>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public async Task<IReadOnlyList<AutoconfigResult>> FetchAsync(string domain, string? emailAddress, CancellationToken cancellationToken)
        {
            var query = emailAddress == null ? string.Empty : "?emailaddress=" + Uri.EscapeDataString(emailAddress);
            var paths = new[] { $"autoconfig.{domain}/mail/config-v1.1.xml{query}", $"{domain}/.well-known/autoconfig/mail/config-v1.1.xml" };
            using var client = CreateClient();
            // The two addresses at once, HTTPS first; plain HTTP only when HTTPS gave nothing.
            var results = (await Task.WhenAll(paths.Select(p => FetchOneAsync(client, "https://" + p, domain, emailAddress, cancellationToken))).ConfigureAwait(false)).ToList();
            if (results.All(r => r.Servers.Count == 0))
            {
                results.AddRange(await Task.WhenAll(paths.Select(p => FetchOneAsync(client, "http://" + p, domain, emailAddress, cancellationToken))).ConfigureAwait(false));
            }

            return results;
        }

        /// <summary>Reads one autoconfig file at an address the user gave (HTTPS, or HTTP as a lower-trust source).</summary>
        /// <exception cref="ArgumentException"><paramref name="uri"/> is not an absolute http or https address.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public async Task<AutoconfigResult> FetchUriAsync(Uri uri, string domain, string? emailAddress, CancellationToken cancellationToken)
        {
            if (uri == null || !uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new ArgumentException("An autoconfig address is an absolute http:// or https:// URI.", nameof(uri));
            }

            using var client = CreateClient();
            return await FetchOneAsync(client, uri.AbsoluteUri, domain, emailAddress, cancellationToken).ConfigureAwait(false);
        }

        private async Task<AutoconfigResult> FetchOneAsync(HttpClient client, string url, string domain, string? emailAddress, CancellationToken cancellationToken)
        {
            var secure = url.StartsWith("https:", StringComparison.Ordinal);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(_timeout);
            try
            {
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, bounded.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    return new AutoconfigResult(url, secure, Array.Empty<AutoconfigServer>(), $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
                }

                var text = await ReadBoundedAsync(await response.Content.ReadAsStreamAsync().ConfigureAwait(false), bounded.Token).ConfigureAwait(false);
                if (text == null)
                {
                    return new AutoconfigResult(url, secure, Array.Empty<AutoconfigServer>(), $"The file is larger than {AutoconfigParser.MaxCharacters / 1024} KiB; it was not read.");
                }

                var servers = AutoconfigParser.Parse(new StringReader(text), domain, emailAddress);
                return new AutoconfigResult(url, secure, servers, servers.Count == 0 ? "The file names no usable server." : null);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new AutoconfigResult(url, secure, Array.Empty<AutoconfigServer>(), $"No answer within {_timeout.TotalSeconds:0.#} s (timed out).");
            }
            catch (HttpRequestException ex)
            {
                return new AutoconfigResult(url, secure, Array.Empty<AutoconfigServer>(), Failures.Innermost(ex).Message);
            }
            catch (AutoconfigFormatException ex)
            {
                return new AutoconfigResult(url, secure, Array.Empty<AutoconfigServer>(), ex.Message);
            }
            catch (IOException ex)
            {
                return new AutoconfigResult(url, secure, Array.Empty<AutoconfigServer>(), ex.Message);
            }
        }

        /// <summary>The body as text, or null when it is larger than an autoconfig file may be.</summary>
        private static async Task<string?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
        {
            var limit = AutoconfigParser.MaxCharacters * 4; // UTF-8 bytes, at most four per character
            var buffer = new byte[81920];
            using var collected = new MemoryStream();
            int read;
            while ((read = await body.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                collected.Write(buffer, 0, read);
                if (collected.Length > limit)
                {
                    return null;
                }
            }

            var text = Encoding.UTF8.GetString(collected.ToArray());
            return text.Length > AutoconfigParser.MaxCharacters ? null : text;
        }

        private HttpClient CreateClient()
        {
#if NET
            var handler = new SocketsHttpHandler
            {
                AllowAutoRedirect = false, // a redirect could lead anywhere; the file must come from the domain asked
                UseProxy = false,
                UseCookies = false,
                ConnectTimeout = _timeout,
                MaxResponseHeadersLength = 64,
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = Validate,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    CertificateChainPolicy = new X509ChainPolicy { RevocationMode = X509RevocationMode.NoCheck, DisableCertificateDownloads = true },
                },
            };
            if (_dns != null)
            {
                handler.ConnectCallback = ConnectAsync;
            }
#else
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
                ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) => Validate(null!, certificate, chain, errors),
            };
#endif
            return new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        }

#if NET
        private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
        {
            var addresses = await _dns!.ResolveAsync(context.DnsEndPoint.Host, cancellationToken).ConfigureAwait(false);
            if (addresses.Count == 0)
            {
                throw new HttpRequestException($"'{context.DnsEndPoint.Host}' does not resolve.");
            }

            var socket = new Socket(addresses[0].AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(addresses[0], context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
#endif

        /// <summary>The system's verdict, or, for a chain problem only, trust through the given roots; a wrong name never passes.</summary>
        private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (certificate == null || errors != SslPolicyErrors.RemoteCertificateChainErrors || _trustedRoots.Count == 0)
            {
                return false;
            }

            var leaf = new X509Certificate2(certificate);
            var intermediates = chain?.ChainPolicy.ExtraStore.Cast<X509Certificate2>().Where(c => c.Thumbprint != leaf.Thumbprint).ToArray() ?? Array.Empty<X509Certificate2>();
            return CertificateEvaluator.IsTrusted(leaf, intermediates, _trustedRoots);
        }

    }
}
