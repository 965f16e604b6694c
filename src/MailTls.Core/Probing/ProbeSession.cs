using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MailKit;
using MailTls.Policy;
using MailTls.Protocols;
using MailTls.Tls;

namespace MailTls.Probing
{
    /// <summary>
    /// One probe of one endpoint, start to finish. Safety rules (DESIGN.md): no credentials are ever sent; TLS
    /// never falls back to plaintext; what the server said before TLS is reported but never used after it
    /// (capabilities are re-read on the encrypted session); every read is bounded in bytes and time.
    /// </summary>
    internal sealed class ProbeSession
    {
        private const int DialogBytes = 64 * 1024;      // a greeting plus capabilities is a few hundred bytes
        private const int ReplyBytes = 8 * 1024;
        private const int HandshakeBytes = 256 * 1024;  // certificate chains of a few KB, with room to spare
        private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(2); // the report is complete by then
        private static readonly TimeSpan ServerCloseBound = TimeSpan.FromMilliseconds(250); // a server's close, seen on loopback in well under 1 ms

        private readonly MailEndpoint _endpoint;
        private readonly ProbeOptions _options;
        private readonly CancellationToken _user;
        private readonly EndpointReport _report;
        private readonly FindingList _findings;
        private readonly Transcript? _transcript;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _deadlineAt;
        private CancellationToken _deadline;
        private IPAddress? _address;
        private readonly TimeSpan _alreadySpent;
        // The version the main connection (or the fallback observation) negotiated; 0 when TLS was never reached.
        private readonly TaskCompletionSource<int> _negotiated = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly PortPlan.DnsDiscovery? _dns;
        private readonly HostConnectionLimiter _limiter;
        private CancellationTokenSource? _afterQueue;
        private TimeSpan _queued;
        private Task<TlsVersionTally>? _versions;
        private System.Security.Cryptography.X509Certificates.X509Certificate2Collection? _roots;

        // The slot of the probe's first connection, kept until the probe ends: its later connections (version
        // probes, the TLS check, the fallback observation) take a free slot when there is one and otherwise inherit
        // this one, one at a time, once the first connection is closed. So they never queue behind other probes
        // while this probe holds a slot: no deadlock, and no starving under load.
        private IDisposable? _mainPermit;
        private readonly SemaphoreSlim _inherited = new SemaphoreSlim(1, 1);
        private Connection? _main;

        /// <param name="endpoint">The endpoint.</param>
        /// <param name="options">How to probe.</param>
        /// <param name="cancellationToken">The user's cancellation (Ctrl+C).</param>
        /// <param name="alreadySpent">Time already spent for this probe (resolving -AllAddresses), taken from its budget.</param>
        /// <param name="dns">Resolves the host name when DNS servers were given; null: the system resolver.</param>
        /// <param name="limiter">Bounds connections per server across probes; null: no bound (one probe alone).</param>
        public ProbeSession(MailEndpoint endpoint, ProbeOptions options, CancellationToken cancellationToken, TimeSpan alreadySpent = default, PortPlan.DnsDiscovery? dns = null, HostConnectionLimiter? limiter = null)
        {
            _limiter = limiter ?? new HostConnectionLimiter(0);
            _dns = dns;
            _alreadySpent = alreadySpent;
            _endpoint = endpoint;
            _options = options;
            _user = cancellationToken;
            _report = new EndpointReport(endpoint);
            _findings = new FindingList(options.Policy);
            _transcript = options.IncludeTranscript ? new Transcript() : null;
        }

        private TimeSpan Timeout => _options.Timeout;

        /// <summary>The roots given besides the system's: -TrustedRootCertificate and the policy's own.</summary>
        private System.Security.Cryptography.X509Certificates.X509Certificate2Collection Roots
        {
            get
            {
                if (_roots == null)
                {
                    _roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection(_options.TrustedRoots);
                    _roots.AddRange(_options.Policy.TrustedRoots.ToArray());
                }

                return _roots;
            }
        }

        /// <summary>A phase gets the probe's timeout, but never more than is left of the overall deadline.</summary>
        private TimeSpan PhaseTimeout
        {
            get
            {
                var left = _deadlineAt - _clock.Elapsed;
                return left < Timeout ? (left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)) : Timeout;
            }
        }

        private string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " s";

        public async Task<EndpointReport> RunAsync()
        {
            // The whole probe, retries and extra connections included, ends within 3 x Timeout.
            _deadlineAt = TimeSpan.FromTicks(Timeout.Ticks * 3) - _alreadySpent;
            if (_deadlineAt < TimeSpan.FromMilliseconds(1))
            {
                _deadlineAt = TimeSpan.FromMilliseconds(1);
            }

            // Until the first connection has its slot the deadline covers the name look-up only; from then on a fresh
            // one covers the rest, so time spent waiting for the server's turn is never taken as the server's.
            using var overall = CancellationTokenSource.CreateLinkedTokenSource(_user);
            overall.CancelAfter(_deadlineAt);
            _deadline = overall.Token;
            try
            {
                await ProbeAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_user.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (_user.IsCancellationRequested)
            {
                // Cancelled from outside (Ctrl+C, a plan's deadline): what the cancelled I/O threw is not the endpoint's doing.
                throw new OperationCanceledException("The probe was stopped.", ex, _user);
            }
            catch (OperationCanceledException)
            {
                _findings.Add(FindingCatalog.TimedOut, $"The probe ran out of its overall time ({Seconds(_deadlineAt - _queued)}).");
            }
            catch (Exception ex)
            {
                // Whatever the endpoint does, the user gets a report: a defect here is named, not thrown at a fleet scan.
                _findings.Add(FindingCatalog.UnexpectedError, $"{ex.GetType().Name}: {Printable(ex.Message)}");
            }
            finally
            {
                _negotiated.TrySetResult(0); // a version enumeration still waiting for it must not wait forever
                if (_versions != null && !_versions.IsCompleted)
                {
                    // The dialog ended early (time, a defect, Ctrl+C): stop the version probes too; none outlives the probe.
                    overall.Cancel();
                    _afterQueue?.Cancel();
                    await Task.WhenAny(_versions).ConfigureAwait(false);
                    _ = _versions.Exception;
                }

                FreeSlotOnceClosed();
                _afterQueue?.Dispose();
            }

            var allowed = _options.Policy.Disallowed(_endpoint.Protocol, _endpoint.Port, _endpoint.Security);
            if (allowed != null)
            {
                _findings.Add(FindingCatalog.SecurityNotAllowed, $"Probed: {_endpoint.Security} on {_endpoint.Protocol} port {_endpoint.Port}; the policy {_options.Policy.Name} allows: {string.Join(", ", allowed)}.");
            }

            _report.Policy = _options.Policy.Name;
            _report.Findings = _findings.Sorted();
            _report.Verdict = ProbePolicy.VerdictOf(_report.Findings);
            _report.Transcript = _transcript?.Lines;
            _report.Duration = _clock.Elapsed - _queued; // waiting for the server's turn is not the server's time
            return _report;
        }

        private async Task ProbeAsync()
        {
            _address = await ResolveAsync().ConfigureAwait(false);
            if (_address == null)
            {
                return;
            }

            _report.IPAddress = _address.ToString();
            using var connection = await ConnectAsync(_transcript, _findings, first: true).ConfigureAwait(false);
            if (connection == null)
            {
                return;
            }

            _main = connection;

            _report.Reachable = true;
            var dialog = MailDialog.For(_endpoint.Protocol);
            bool tlsDone;
            try
            {
                if (_endpoint.Security == MailSecurity.Implicit)
                {
                    // The port is open: the version hellos start now, beside the main handshake, not after it.
                    StartVersions();
                }

                tlsDone = _endpoint.Security == MailSecurity.Implicit
                    ? await TlsAsync(connection, dialog, afterStartTls: false).ConfigureAwait(false)
                    : await PlaintextFirstAsync(connection, dialog).ConfigureAwait(false);
            }
            finally
            {
                _negotiated.TrySetResult(0);
                connection.Dispose(); // its slot is lent to the later connections once the server has seen the end
                _transcript?.Note("connection closed by the probe");
            }

            if (tlsDone && _versions != null)
            {
                RecordVersions(await _versions.ConfigureAwait(false));
            }
        }

        /// <summary>
        /// Frees the probe's slot once the server has seen the end of every connection that used it (the first one,
        /// and an inherited one still closing), so the next probe's connection cannot look to it like one too many.
        /// Not awaited: the report does not wait for it, and each close is bounded (ServerCloseBound).
        /// </summary>
        private void FreeSlotOnceClosed()
        {
            var slot = _mainPermit;
            if (slot == null)
            {
                return;
            }

            // Runs through at once when both are closed already.
            _ = FreeAsync(_main?.Closed ?? Task.CompletedTask);

            async Task FreeAsync(Task mainClosed)
            {
                await mainClosed.ConfigureAwait(false);
                await _inherited.WaitAsync().ConfigureAwait(false);
                slot.Dispose();
            }
        }

        private void StartVersions()
        {
            if (_options.IncludeTlsVersions && _versions == null)
            {
                _versions = EnumerateVersionsAsync();
            }
        }

        private async Task<IPAddress?> ResolveAsync()
        {
            if (_endpoint.Address != null)
            {
                return _endpoint.Address;
            }

            if (IPAddress.TryParse(_endpoint.HostName, out var literal))
            {
                return literal;
            }

            try
            {
                var addresses = await Resolver.ResolveAsync(_endpoint.HostName, PhaseTimeout, _deadline, _dns).ConfigureAwait(false);
                return addresses[0];
            }
            catch (SocketException ex)
            {
                _findings.Add(FindingCatalog.NameNotResolved, $"'{_endpoint.HostName}': {ex.Message}.");
            }
            catch (OperationCanceledException) when (!_user.IsCancellationRequested)
            {
                _findings.Add(FindingCatalog.NameNotResolved, $"The resolver gave no answer for '{_endpoint.HostName}' within {Seconds(Timeout)} (timed out).");
            }

            return null;
        }

        /// <summary>
        /// Opens a connection once the server has a slot for it (-MaxConnectionsPerHost). The first connection queues
        /// for one, and the wait is not charged to the probe's time (a busy fleet is not a slow server); its slot is
        /// the probe's until the end. Later connections take a free slot or inherit the probe's (see _mainPermit).
        /// </summary>
        private async Task<Connection?> ConnectAsync(Transcript? transcript, FindingList findings, bool first = false)
        {
            IDisposable permit;
            try
            {
                if (first)
                {
                    var queued = Stopwatch.StartNew();
                    _mainPermit = await _limiter.EnterAsync(_address!, _user).ConfigureAwait(false);
                    _queued = queued.Elapsed;
                    _deadlineAt += _queued;
                    var left = _deadlineAt - _clock.Elapsed;
                    _afterQueue = CancellationTokenSource.CreateLinkedTokenSource(_user);
                    _afterQueue.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
                    _deadline = _afterQueue.Token;
                    permit = HostConnectionLimiter.NoPermit; // the probe keeps the slot, not the connection
                }
                else if (!_limiter.TryEnter(_address!, out permit))
                {
                    // Later connections are made only once the first is open, so _main is set.
                    await Task.WhenAny(_main!.Closed, Task.Delay(System.Threading.Timeout.Infinite, _deadline)).ConfigureAwait(false);
                    await _inherited.WaitAsync(_deadline).ConfigureAwait(false);
                    permit = new Inherited(_inherited);
                }
            }
            catch (OperationCanceledException) when (!_user.IsCancellationRequested)
            {
                findings.Add(FindingCatalog.TimedOut, $"No connection to {Target} was free in time (-MaxConnectionsPerHost {_options.MaxConnectionsPerHost}).");
                return null;
            }

            var timeout = PhaseTimeout;
            Connection? opened = null;
            try
            {
                transcript?.Note($"connect {MailEndpoint.FormatTarget(_address!.ToString(), _endpoint.Port)}");
                opened = await Connection.OpenAsync(_address!, _endpoint.Port, timeout, transcript, _deadline, _user, permit, CloseBound).ConfigureAwait(false);
                return opened;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
            {
                findings.Add(FindingCatalog.ConnectionRefused, $"Connection refused by {Target}.");
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
            {
                findings.Add(FindingCatalog.TimedOut, $"Connecting to {Target} timed out.");
            }
            catch (SocketException ex)
            {
                findings.Add(FindingCatalog.ConnectionFailed, $"Connecting to {Target} failed: {ex.Message} ({ex.SocketErrorCode}).");
            }
            catch (OperationCanceledException) when (!_user.IsCancellationRequested)
            {
                findings.Add(FindingCatalog.TimedOut, $"Connecting to {Target} timed out after {Seconds(timeout)}.");
            }
            finally
            {
                if (opened == null)
                {
                    permit.Dispose(); // the open connection holds it until it closes
                }
            }

            return null;
        }

        // Where a per-host limit is kept, a connection frees its slot only after the server's close (see Connection).
        private TimeSpan CloseBound => _options.MaxConnectionsPerHost > 0 ? ServerCloseBound : TimeSpan.Zero;

        private string Target => MailEndpoint.FormatTarget(_address?.ToString() ?? _endpoint.HostName, _endpoint.Port);

        // ---- implicit TLS -------------------------------------------------------------------------------

        /// <summary>Handshake, then the capabilities again on the TLS session; true when TLS facts were observed.</summary>
        private async Task<bool> TlsAsync(Connection connection, MailDialog dialog, bool afterStartTls)
        {
            var ssl = await HandshakeAsync(connection, afterStartTls).ConfigureAwait(false);
            if (ssl == null)
            {
                return _report.TlsVersion != null;
            }

            using (ssl)
            {
                // After STARTTLS MailKit resumes on the TLS session from a local greeting; with implicit TLS the
                // greeting is the server's first encrypted line.
                var what = afterStartTls ? "capabilities after TLS" : "greeting and capabilities after TLS";
                var phase = connection.Begin(what, DialogBytes, PhaseTimeout);
                Stream stream = new GuardedStream(ssl, () => connection.Phase, _transcript);
                if (afterStartTls)
                {
                    stream = new PrefixedStream(Encoding.ASCII.GetBytes(dialog.ResumeGreeting), stream);
                }

                var facts = await DialogAsync(connection, dialog, stream, "the " + what).ConfigureAwait(false);
                if (!afterStartTls)
                {
                    _report.Greeting = FirstLine(phase.ReceivedText);
                }

                if (facts != null)
                {
                    _report.CapabilitiesAfterTls = facts.Capabilities;
                    _report.AuthMechanismsAfterTls = facts.AuthMechanisms;
                    await QuitAsync(connection, dialog).ConfigureAwait(false);
                }
            }

            return true;
        }

        private Task QuitAsync(Connection connection, MailDialog dialog)
        {
            var timeout = PhaseTimeout < QuitTimeout ? PhaseTimeout : QuitTimeout;
            return dialog.QuitAsync(connection.Begin("quit", DialogBytes, timeout).Token);
        }

        // ---- STARTTLS and plaintext ----------------------------------------------------------------------

        private async Task<bool> PlaintextFirstAsync(Connection connection, MailDialog dialog)
        {
            var phase = connection.Begin("greeting and capabilities", DialogBytes, PhaseTimeout);
            var facts = await DialogAsync(connection, dialog, connection.Raw, "the greeting").ConfigureAwait(false);
            _report.Greeting = FirstLine(phase.ReceivedText);
            if (facts == null)
            {
                if (phase.TimedOut && phase.BytesReceived == 0)
                {
                    connection.Dispose(); // silent; its slot goes to the check
                    await CheckTlsOnPlaintextPortAsync().ConfigureAwait(false);
                }

                return false;
            }

            _report.CapabilitiesBeforeTls = facts.Capabilities;
            _report.AuthMechanismsBeforeTls = facts.AuthMechanisms;
            _report.StartTlsOffered = facts.StartTlsOffered;
            if (facts.PlaintextLogin != null)
            {
                _findings.Add(FindingCatalog.PlaintextLoginBeforeTls, facts.PlaintextLogin + " before TLS.");
            }

            if (facts.PreAuthenticated)
            {
                _findings.Add(FindingCatalog.ImapPreAuth, "Greeting: " + _report.Greeting);
                return false;
            }

            if (_endpoint.Security == MailSecurity.None)
            {
                _findings.Add(facts.StartTlsOffered ? FindingCatalog.PlaintextSessionStartTlsAvailable : FindingCatalog.PlaintextSession);
                await QuitAsync(connection, dialog).ConfigureAwait(false);
                return false;
            }

            if (!facts.StartTlsOffered)
            {
                _findings.Add(FindingCatalog.StartTlsNotOffered, $"Capabilities: {string.Join(" ", facts.Capabilities)}.");
                return false;
            }

            // STARTTLS is offered: the version hellos (each with its own STARTTLS) start now, beside this one.
            StartVersions();
            if (!await StartTlsAsync(connection, dialog, _findings).ConfigureAwait(false))
            {
                return false;
            }

            return await TlsAsync(connection, dialog, afterStartTls: true).ConfigureAwait(false);
        }

        /// <summary>
        /// Sends STARTTLS and reads the reply itself, byte-exact: anything after the reply and before the handshake
        /// is an injection (a finding, and never data). Returns true when the server agreed to upgrade.
        /// </summary>
        private async Task<bool> StartTlsAsync(Connection connection, MailDialog dialog, FindingList findings)
        {
            var phase = connection.Begin("STARTTLS reply", ReplyBytes, PhaseTimeout);
            var command = Encoding.ASCII.GetBytes(dialog.StartTlsCommand);
            var buffer = new byte[ReplyBytes + 1];
            var filled = 0;
            try
            {
                await connection.Raw.WriteAsync(command, 0, command.Length, phase.Token).ConfigureAwait(false);
                int length;
                while ((length = dialog.ReplyLength(Encoding.ASCII.GetString(buffer, 0, filled))) < 0)
                {
                    var read = await connection.Raw.ReadAsync(buffer, filled, buffer.Length - filled, phase.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        findings.Add(FindingCatalog.StartTlsClosed, "The server closed the connection instead of answering STARTTLS.");
                        return false;
                    }

                    filled += read;
                }

                var reply = Encoding.ASCII.GetString(buffer, 0, length);
                if (!dialog.ReplyAccepts(reply))
                {
                    findings.Add(FindingCatalog.StartTlsRefused, "The server answered: " + Printable(reply.Trim()));
                    return false;
                }

                // Take in what the kernel already holds too, so the handshake starts on a clean stream; bytes that
                // come later land in the handshake and are caught there (HandshakeAsync).
                while (connection.Available > 0 && filled < buffer.Length)
                {
                    var read = await connection.Raw.ReadAsync(buffer, filled, Math.Min(connection.Available, buffer.Length - filled), phase.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    filled += read;
                }

                var injected = filled - length;
                if (injected > 0)
                {
                    var sample = Printable(Encoding.ASCII.GetString(buffer, length, Math.Min(injected, 80)));
                    findings.Add(FindingCatalog.StartTlsInjection, $"{injected} bytes followed the STARTTLS reply: '{sample}'; they were discarded, not read as data.");
                }

                return true;
            }
            catch (Exception ex) when (IsProbeFailure(ex))
            {
                Classify(connection, ex, "the STARTTLS reply", findings, closed: FindingCatalog.StartTlsClosed);
                return false;
            }
        }

        /// <summary>
        /// A server that answers nothing on a plaintext port may be waiting for a TLS ClientHello (an implicit-TLS
        /// port probed as STARTTLS). One more connection, within what is left of the deadline, tells.
        /// </summary>
        private async Task CheckTlsOnPlaintextPortAsync()
        {
            var scratch = new FindingList(_options.Policy);
            using var connection = await ConnectAsync(null, scratch).ConfigureAwait(false);
            if (connection == null)
            {
                return;
            }

            var phase = connection.Begin("TLS check", HandshakeBytes, PhaseTimeout);
            try
            {
                var chosen = await HelloProbe.ChosenVersionAsync(connection.Raw, _endpoint.ServerName, TlsObservation.TestedVersions, phase.Token).ConfigureAwait(false);
                if (TlsObservation.TestedVersions.Contains(chosen))
                {
                    // The silence is explained: not a dead server but the wrong mode, so Fail rather than Error.
                    _findings.Remove(FindingCatalog.TimedOut);
                    _findings.Add(FindingCatalog.TlsOnPlaintextPort, $"It answered a TLS ClientHello with {TlsObservation.VersionName(chosen)}.");
                }
            }
            catch (Exception ex) when (IsProbeFailure(ex))
            {
                // No TLS either: the timeout finding already says it all.
            }
        }

        // ---- TLS ----------------------------------------------------------------------------------------

        /// <summary>
        /// The handshake on the platform's TLS; when the platform refuses the server (e.g. TLS 1.0 only), the
        /// same endpoint is observed once more with BouncyCastle so the report still has version, cipher and
        /// certificate. Returns the platform session to continue on, or null.
        /// </summary>
        private async Task<SslStream?> HandshakeAsync(Connection connection, bool afterStartTls)
        {
            var phase = connection.Begin("TLS handshake", HandshakeBytes, PhaseTimeout);
            connection.Raw.Recording = false;
            _transcript?.Note("TLS handshake");
            try
            {
                var (ssl, observation) = await PlatformTls.HandshakeAsync(connection.Raw, _endpoint.ServerName, CertificateEvaluator.TrustForHandshake(Roots, _options.Policy.RequiredTrust), phase.Token).ConfigureAwait(false);
                connection.Raw.KeepReceived = false;
                connection.Raw.CountsBytes = false;
                _transcript?.Note($"TLS established: {observation.Version} {observation.CipherSuite}");
                Record(observation);
                return ssl;
            }
            catch (Exception ex) when (IsProbeFailure(ex) || ex is System.Security.Authentication.AuthenticationException || ex is System.ComponentModel.Win32Exception)
            {
                if (phase.TooMuchData || phase.TimedOut)
                {
                    Classify(connection, ex, "the TLS handshake", _findings);
                    return null;
                }

                var received = phase.ReceivedBytes;
                if (LooksLikePlaintext(received))
                {
                    // Text where TLS records belong: on an implicit port a plaintext service; after STARTTLS, bytes the
                    // server (or a middlebox) injected once the reply had been read.
                    _findings.Add(afterStartTls ? FindingCatalog.StartTlsInjection : FindingCatalog.PlaintextOnImplicitPort,
                        $"The server said: '{Printable(FirstLine(phase.ReceivedText))}'.");
                    return null;
                }

                if (phase.EndOfStream && received.Length == 0)
                {
                    _findings.Add(afterStartTls ? FindingCatalog.StartTlsClosed : FindingCatalog.HandshakeFailed,
                        "The server closed the connection during the TLS handshake.");
                    return null;
                }

                var platformError = Failures.Innermost(ex).Message;
                _transcript?.Note("platform TLS refused the server: " + platformError);
                connection.Dispose(); // the refused session is over; its slot goes to the observation
                if (!await ObserveWithFallbackAsync(platformError).ConfigureAwait(false))
                {
                    _findings.Add(FindingCatalog.HandshakeFailed, platformError);
                    if (_deadline.IsCancellationRequested)
                    {
                        _findings.Add(FindingCatalog.TimedOut, "The probe ran out of time observing the handshake with its own TLS stack.");
                    }
                }

                return null;
            }
        }

        private async Task<bool> ObserveWithFallbackAsync(string platformError)
        {
            var (observation, _) = await BouncyObserveAsync(TlsObservation.TestedVersions).ConfigureAwait(false);
            if (observation == null)
            {
                return false;
            }

            _transcript?.Note($"observed with BouncyCastle: {observation.Version} {observation.CipherSuite}; no mail commands sent");
            _findings.Add(FindingCatalog.ObservedWithFallbackStack);
            if (observation.VersionCode >= 0x0303)
            {
                // Not an old version, yet this machine's TLS cannot talk to the server: its clients would fail too.
                _findings.Add(FindingCatalog.PlatformTlsRefused, $"The server speaks {observation.Version}; this machine's TLS said: {Printable(platformError)}");
            }

            Record(observation);
            return true;
        }

        /// <summary>
        /// A fresh connection to the TLS point (after STARTTLS where needed), then a BouncyCastle handshake. Null when
        /// the server refused; TimedOut says whether time ran out instead (so a refusal is not guessed from silence).
        /// </summary>
        private async Task<(TlsObservation? Observation, bool TimedOut)> BouncyObserveAsync(IReadOnlyList<int> versions)
        {
            var scratch = new FindingList(_options.Policy);
            using var connection = await ConnectToTlsPointAsync(scratch).ConfigureAwait(false);
            if (connection == null)
            {
                return (null, scratch.Contains(FindingCatalog.TimedOut));
            }

            var phase = connection.Begin("TLS handshake (BouncyCastle)", HandshakeBytes, PhaseTimeout);
            try
            {
                return (await BouncyTls.HandshakeAsync(connection.Raw, _endpoint.ServerName, versions, phase.Token).ConfigureAwait(false), false);
            }
            catch (Exception ex) when (IsProbeFailure(ex) || ex is Org.BouncyCastle.Tls.TlsException)
            {
                return (null, phase.TimedOut);
            }
        }

        /// <summary>
        /// A fresh connection to the TLS point, then one ClientHello offering <paramref name="versions"/>: the version the
        /// server chose (0: refused, or one it was not offered), and whether time ran out instead of an answer.
        /// </summary>
        private async Task<(int Chosen, bool TimedOut)> HelloAsync(IReadOnlyList<int> versions)
        {
            var scratch = new FindingList(_options.Policy);
            using var connection = await ConnectToTlsPointAsync(scratch).ConfigureAwait(false);
            if (connection == null)
            {
                return (0, scratch.Contains(FindingCatalog.TimedOut));
            }

            var phase = connection.Begin("TLS version hello", HandshakeBytes, PhaseTimeout);
            try
            {
                var chosen = await HelloProbe.ChosenVersionAsync(connection.Raw, _endpoint.ServerName, versions, phase.Token).ConfigureAwait(false);
                return (versions.Contains(chosen) ? chosen : 0, false);
            }
            catch (Exception ex) when (IsProbeFailure(ex))
            {
                return (0, phase.TimedOut);
            }
        }

        /// <summary>A fresh connection, taken up to where TLS starts (after STARTTLS where the endpoint needs it); null when that failed.</summary>
        private async Task<Connection?> ConnectToTlsPointAsync(FindingList scratch)
        {
            var connection = await ConnectAsync(null, scratch).ConfigureAwait(false);
            if (connection == null || _endpoint.Security == MailSecurity.Implicit)
            {
                return connection;
            }

            var dialog = MailDialog.For(_endpoint.Protocol);
            connection.Begin("greeting and capabilities", DialogBytes, PhaseTimeout);
            var facts = await DialogAsync(connection, dialog, connection.Raw, "the greeting", scratch).ConfigureAwait(false);
            if (facts == null || !facts.StartTlsOffered || !await StartTlsAsync(connection, dialog, scratch).ConfigureAwait(false))
            {
                connection.Dispose();
                return null;
            }

            return connection;
        }

        private void Record(TlsObservation observation)
        {
            _negotiated.TrySetResult(observation.VersionCode);
            _report.TlsVersion = observation.Version;
            _report.CipherSuite = observation.CipherSuite;
            if (observation.VersionCode != 0 && observation.VersionCode < _options.Policy.MinimumTlsVersion)
            {
                _findings.Add(FindingCatalog.LegacyTlsNegotiated, $"Negotiated: {observation.Version}; the policy's minimum: {TlsObservation.VersionName(_options.Policy.MinimumTlsVersion)}.");
            }

            if (observation.CipherSuite != null && CipherSuiteRating.IsWeak(observation.CipherSuite))
            {
                _findings.Add(FindingCatalog.WeakCipher, $"Negotiated: {observation.CipherSuite}.");
            }

            try
            {
                CertificateEvaluator.Evaluate(observation, _endpoint.ServerName, Roots, _options.Policy, DateTime.UtcNow, _report, _findings);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                // A hostile but parseable certificate can break any of the decoders; the TLS facts stay reported.
                _findings.Add(FindingCatalog.CertificateUnparsable, $"{ex.GetType().Name}: {Printable(ex.Message)}");
            }
        }

        /// <summary>
        /// Which of TLS 1.0-1.3 the server accepts, one ClientHello per question and as few as the answers allow. TLS 1.2
        /// is asked at once, beside the main connection's handshake: the platform negotiates 1.3 with a modern server,
        /// so 1.2 is the version left to ask about. TLS 1.1 and 1.0 share the next offer, since a server picks the highest
        /// version both sides have (it answers 1.0 only when it lacks 1.1, and refuses when it has neither, as modern
        /// servers do); only a server that picks 1.1 gets one more, for 1.0. That offer goes out as soon as the 1.2 answer
        /// frees its connection slot (unless the main connection has failed TLS by then), without waiting for the main
        /// connection's version: every server but one that negotiates 1.1 or 1.0 needs it anyway, and the main handshake,
        /// with its chain check, ends later than a hello. Once the main connection has told its version (which needs no
        /// question), 1.3 gets one hello if that was not it. It runs beside the dialog, so it touches neither the report
        /// nor the findings: <see cref="RecordVersions"/> does, after both.
        /// </summary>
        private async Task<TlsVersionTally> EnumerateVersionsAsync()
        {
            var results = new TlsVersionTally();
            async Task TryAsync(int[] offer)
            {
                var (chosen, timedOut) = await HelloAsync(offer).ConfigureAwait(false);
                lock (results)
                {
                    if (chosen != 0)
                    {
                        results.Accepted.Add(chosen);
                    }
                    else if (timedOut)
                    {
                        results.Untested.AddRange(offer);
                    }
                }

                // The server chose the highest it has: the versions below it in the offer are still open.
                var below = offer.Where(v => v < chosen).ToArray();
                if (below.Length > 0)
                {
                    await TryAsync(below).ConfigureAwait(false);
                }
            }

            const int Tls12 = 0x0303;
            await TryAsync(new[] { Tls12 }).ConfigureAwait(false); // its connection's slot goes to the next question
            if (_negotiated.Task.IsCompleted && _negotiated.Task.Result == 0)
            {
                return results; // the main connection has failed TLS already: nothing will be recorded, so ask no more
            }

            var legacy = TryAsync(TlsObservation.TestedVersions.Where(v => v < Tls12).ToArray());
            results.Negotiated = await _negotiated.Task.ConfigureAwait(false);
            if (results.Negotiated == 0)
            {
                await legacy.ConfigureAwait(false);
                return results; // TLS was never reached; nothing is recorded
            }

            var newer = TlsObservation.TestedVersions.Where(v => v > Tls12 && v != results.Negotiated).Select(v => TryAsync(new[] { v }));
            await Task.WhenAll(newer.Append(legacy)).ConfigureAwait(false);
            return results;
        }

        private void RecordVersions(TlsVersionTally results)
        {
            var (accepted, untested) = results.Summary();
            _report.AcceptedTlsVersions = accepted.Select(TlsObservation.VersionName).ToArray();
            if (untested.Count > 0)
            {
                _findings.Add(FindingCatalog.TlsVersionsIncomplete, "Not tested in time: " + string.Join(", ", untested.Select(TlsObservation.VersionName)) + ".");
            }

            var belowMinimum = accepted.Where(v => v < _options.Policy.MinimumTlsVersion).ToArray();
            if (belowMinimum.Length > 0 && !_findings.Contains(FindingCatalog.LegacyTlsNegotiated))
            {
                _findings.Add(FindingCatalog.LegacyTlsAccepted, "Accepted: " + string.Join(", ", belowMinimum.Select(TlsObservation.VersionName)) + ".");
            }
        }

        /// <summary>The probe's own slot, lent to one later connection at a time.</summary>
        private sealed class Inherited : IDisposable
        {
            private SemaphoreSlim? _gate;

            public Inherited(SemaphoreSlim gate) => _gate = gate;

            public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
        }

        // ---- shared helpers -----------------------------------------------------------------------------

        private Task<DialogFacts?> DialogAsync(Connection connection, MailDialog dialog, Stream stream, string what) =>
            DialogAsync(connection, dialog, stream, what, _findings);

        private async Task<DialogFacts?> DialogAsync(Connection connection, MailDialog dialog, Stream stream, string what, FindingList findings)
        {
            try
            {
                return await dialog.GreetAsync(stream, _endpoint.HostName, _endpoint.Port, connection.Phase.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsProbeFailure(ex) || ex is ProtocolException || ex is CommandException || ex is NotSupportedException)
            {
                Classify(connection, ex, what, findings);
                return null;
            }
        }

        /// <summary>
        /// Names what went wrong in a phase from what the guards saw, not from the library's exception type alone;
        /// <paramref name="what"/> names the step as a sentence's subject would ("the greeting").
        /// </summary>
        private void Classify(Connection connection, Exception ex, string what, FindingList findings, FindingDefinition? closed = null)
        {
            if (_user.IsCancellationRequested)
            {
                throw new OperationCanceledException(_user);
            }

            var phase = connection.Phase;
            if (phase.TooMuchData)
            {
                findings.Add(FindingCatalog.BannerTooLong, $"More than {phase.MaxBytes / 1024} KB arrived during {what} (banner too long); the probe stopped reading.");
            }
            else if (phase.TimedOut)
            {
                findings.Add(FindingCatalog.TimedOut, $"{char.ToUpperInvariant(what[0])}{what.Substring(1)} did not complete within {Seconds(phase.Timeout)} (timed out; {phase.BytesReceived} bytes received).");
            }
            else if (ex is CommandException)
            {
                findings.Add(FindingCatalog.ServiceNotReady, $"During {what}: {Printable(ex.Message)}");
            }
            else if (phase.EndOfStream || ex is IOException || ex is SocketException || ex is ObjectDisposedException)
            {
                findings.Add(closed ?? FindingCatalog.ServerClosed, $"The server closed the connection during {what}.");
            }
            else
            {
                var said = FirstLine(phase.ReceivedText);
                findings.Add(FindingCatalog.UnexpectedReply, $"During {what}: {Printable(Failures.Innermost(ex).Message)}{(said.Length > 0 ? " The server said: '" + Printable(said) + "'." : string.Empty)}");
            }
        }

        /// <summary>What an endpoint can make a phase fail with; never the user's own cancellation, which must propagate.</summary>
        private bool IsProbeFailure(Exception ex) =>
            !_user.IsCancellationRequested && (ex is IOException || ex is SocketException || ex is OperationCanceledException || ex is ObjectDisposedException);

        /// <summary>TLS records start with a content type of 0x14–0x17; a mail greeting is printable text.</summary>
        private static bool LooksLikePlaintext(byte[] received)
        {
            if (received.Length < 3 || (received[0] >= 0x14 && received[0] <= 0x17))
            {
                return false;
            }

            return received.Take(Math.Min(received.Length, 16)).All(b => (b >= 0x20 && b < 0x7f) || b == '\r' || b == '\n');
        }

        private static string FirstLine(string text)
        {
            var end = text.IndexOfAny(new[] { '\r', '\n' });
            return Printable(end >= 0 ? text.Substring(0, end) : text);
        }

        private static string Printable(string text)
        {
            var builder = new StringBuilder(Math.Min(text.Length, 200));
            foreach (var c in text)
            {
                if (builder.Length >= 200)
                {
                    builder.Append('…');
                    break;
                }

                if (c != '\r')
                {
                    builder.Append(c >= ' ' && c < (char)0x7f ? c : c == '\n' ? ' ' : '.');
                }
            }

            return builder.ToString();
        }
    }
}
