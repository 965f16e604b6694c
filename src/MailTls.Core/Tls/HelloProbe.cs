using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.Tls
{
    /// <summary>
    /// Asks a server which TLS version it picks from an offer, and nothing more: one ClientHello offering exactly
    /// those versions, then the server's first handshake message (its ServerHello, or a HelloRetryRequest, which is
    /// a ServerHello too) or its alert, and the connection is dropped. No key is agreed and no certificate parsed,
    /// so a version probe costs the server one hello and the probe almost nothing; a full TLS client (BouncyCastle,
    /// see <see cref="BouncyTls"/>) would compute a key exchange for every version asked about.
    /// </summary>
    /// <remarks>
    /// The wire format is RFC 8446 §4.1.2 (ClientHello) and §4.1.3 (ServerHello, supported_versions), which keeps
    /// RFC 5246's layout for TLS 1.0–1.2. The offer is wide on purpose (the key exchanges, ciphers, groups and
    /// signature schemes servers have been configured with, old and weak ones included), so a server that has a version
    /// does not refuse it for want of a cipher, yet it stays under 128 suites, which some servers cannot take (as
    /// testssl.sh also found). TLS 1.3 offers carry an X25519 key share of random bytes, which is a valid public key,
    /// and a server without X25519 answers with a HelloRetryRequest, which still names TLS 1.3. The hello avoids the
    /// shapes known to hang or break old servers: it is never 256-511 bytes long (RFC 7685 padding, for F5's) and never
    /// ends with an empty extension (WebSphere's). TLS_FALLBACK_SCSV is never sent: a version probe is not a fallback,
    /// and servers would refuse the lower versions because of it.
    /// </remarks>
    internal static class HelloProbe
    {
        private const byte Handshake = 0x16;
        private const byte Alert = 0x15;
        private const int MaxRecord = (1 << 14) + 2048; // the largest TLSCiphertext (RFC 8446 §5.2)
        private const int MaxServerHello = 64 * 1024;
        private static readonly RandomNumberGenerator Rng = RandomNumberGenerator.Create();
        private const int MaxWarnings = 4; // warning alerts (unrecognized_name) read past before the answer

        // The suites today's clients offer, best first, for servers that take the client's order: such a server
        // picks from the front, and a suite it is configured for but cannot run (DHE without DH parameters) would
        // make it fail the handshake and look as if it refused the version.
        private static readonly int[] PreferredSuites =
        {
            0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, // ECDHE with AES-GCM, ChaCha20
            0xC023, 0xC027, 0xC024, 0xC028,                 // ECDHE with AES-CBC-SHA256/384
            0xC009, 0xC013, 0xC00A, 0xC014,                 // ECDHE with AES-CBC-SHA
            0x009C, 0x009D, 0x003C, 0x003D, 0x002F, 0x0035, // RSA key transport with AES
            0xC008, 0xC012, 0x000A,                         // 3DES
        };

        // Then what else servers have been configured to speak (no suite that needs a pre-shared key or password),
        // so a server with only old, weak or unusual ones still answers.
        private static readonly int[] OtherSuites =
        {
            0x0039, 0x0033, 0x009E, 0x009F, 0x0067, 0x006B, 0xCCAA, 0x0016,         // DHE-RSA with AES, ChaCha20, 3DES
            0x0032, 0x0038, 0x00A2, 0x00A3, 0x0040, 0x006A, 0x0013,                 // DHE-DSS with AES, 3DES
            0xC0AC, 0xC0AD, 0xC0AE, 0xC0AF, 0xC09C, 0xC09D, 0xC09E, 0xC09F,         // AES-CCM(8)
            0xC0A0, 0xC0A1, 0xC0A2, 0xC0A3,
            0xC072, 0xC073, 0xC076, 0xC077, 0x0041, 0x0084, 0x0045, 0x0088,         // Camellia
            0x0044, 0x0087, 0x00BA, 0x00C0, 0x00BE, 0x00C4,
            0xC03C, 0xC03D, 0xC050, 0xC051, 0xC052, 0xC053, 0xC05C, 0xC05D,         // ARIA
            0xC060, 0xC061, 0x0096, 0x009A, 0x0099, 0x0007,                         // SEED, IDEA
            0xC004, 0xC005, 0xC00E, 0xC00F, 0xC025, 0xC026, 0xC029, 0xC02A,         // static ECDH
            0xC02D, 0xC02E, 0xC031, 0xC032, 0xC003, 0xC00D,
            0xC007, 0xC011, 0x0005, 0x0004, 0xC002, 0xC00C,                         // RC4
            0x0009, 0x0015, 0x0012, 0x0062, 0x0064, 0x0003, 0x0006, 0x0008,         // DES and export
            0x0014, 0x0011,
            0x0034, 0x003A, 0x00A6, 0x00A7, 0x006C, 0x006D, 0x001B, 0x0018,         // anonymous DH, ECDH
            0xC018, 0xC019, 0xC017, 0xC016,
            0x003B, 0x0002, 0x0001, 0xC006, 0xC010,                                 // no encryption at all
        };

        private static readonly int[] Tls13Suites = { 0x1301, 0x1302, 0x1303, 0x1304, 0x1305 };
        private const int RenegotiationScsv = 0x00FF;

        private static readonly int[] Groups =
        {
            0x001D, 0x0017, 0x0018, 0x0019, 0x001E, // x25519, secp256r1/384r1/521r1, x448
            0x11EC, 0x11EB, 0x11ED,                 // X25519MLKEM768 and the NIST-curve hybrids: a server with only these asks for one (HelloRetryRequest)
            0x001A, 0x001B, 0x001C,                 // brainpool P256r1/384r1/512r1
            0x0100, 0x0101, 0x0102, 0x0103, 0x0104, // ffdhe2048-8192
        };

        private static readonly int[] SignatureSchemes =
        {
            0x0403, 0x0503, 0x0603,                         // ecdsa with SHA-256/384/512
            0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B, // RSA-PSS (rsae, pss)
            0x0807, 0x0808,                                 // ed25519, ed448
            0x0401, 0x0501, 0x0601,                         // rsa_pkcs1 with SHA-256/384/512
            0x0303, 0x0301, 0x0302,                         // SHA-224 with ECDSA, RSA, DSA
            0x0203, 0x0201, 0x0202,                         // SHA-1 with ECDSA, RSA, DSA
            0x0402, 0x0502, 0x0602,                         // DSA with SHA-256/384/512
        };

        /// <summary>
        /// Sends the offer and reads the answer: the version the server chose (which the caller checks against the
        /// offer), or 0 when it refused (an alert, a close, or bytes that are not a ServerHello).
        /// </summary>
        /// <exception cref="IOException">The connection failed.</exception>
        /// <exception cref="OperationCanceledException">Time ran out.</exception>
        public static async Task<int> ChosenVersionAsync(Stream transport, string serverName, IReadOnlyList<int> versions, CancellationToken cancellationToken)
        {
            var hello = ClientHello(serverName, versions);
            await transport.WriteAsync(hello, 0, hello.Length, cancellationToken).ConfigureAwait(false);
            await transport.FlushAsync(cancellationToken).ConfigureAwait(false);
            var handshake = new MemoryStream();
            var header = new byte[5];
            var warnings = 0;
            while (true)
            {
                if (!await ReadExactlyAsync(transport, header, header.Length, cancellationToken).ConfigureAwait(false))
                {
                    return 0;
                }

                var length = (header[3] << 8) | header[4];
                if ((header[0] != Handshake && header[0] != Alert) || header[1] != 3 || length == 0 || length > MaxRecord)
                {
                    return 0; // not TLS at all (a plaintext banner, an SSL 2 answer): no version was chosen
                }

                var body = new byte[length];
                if (!await ReadExactlyAsync(transport, body, length, cancellationToken).ConfigureAwait(false))
                {
                    return 0;
                }

                if (header[0] == Alert)
                {
                    // A warning (unrecognized_name, which OpenSSL servers may send before their ServerHello) is not an
                    // answer; a fatal alert or close_notify is the refusal.
                    if (IsWarning(body) && ++warnings <= MaxWarnings)
                    {
                        continue;
                    }

                    return 0;
                }

                handshake.Write(body, 0, body.Length);
                var message = ServerHelloBody(handshake.GetBuffer(), (int)handshake.Length, out var complete);
                if (complete)
                {
                    return message == null ? 0 : ChosenVersion(message);
                }
            }
        }

        /// <summary>An alert record of warning level (1) that does not close the connection (close_notify is 0).</summary>
        private static bool IsWarning(byte[] alert) => alert.Length == 2 && alert[0] == 1 && alert[1] != 0;

        /// <summary>A ClientHello record offering exactly <paramref name="versions"/> (codes such as 0x0303).</summary>
        internal static byte[] ClientHello(string serverName, IReadOnlyList<int> versions)
        {
            if (versions.Count == 0)
            {
                throw new ArgumentException("At least one version must be offered.", nameof(versions));
            }

            var offersTls13 = false;
            var highestLegacy = 0;
            foreach (var version in versions)
            {
                if (version < 0x0301 || version > 0x0304)
                {
                    throw new ArgumentException("Only TLS 1.0 (0x0301) to TLS 1.3 (0x0304) can be offered.", nameof(versions));
                }

                offersTls13 |= version == 0x0304;
                highestLegacy = version < 0x0304 ? Math.Max(highestLegacy, version) : highestLegacy;
            }

            var w = new Writer();
            w.U8(Handshake);
            w.U16(0x0301); // the record version most servers expect in a first hello, whatever is offered
            var record = w.Open(2);
            w.U8(0x01); // client_hello
            var hello = w.Open(3);

            // Up to TLS 1.2 the highest version offered is the hello's own version; TLS 1.3 offers say 1.2 there and
            // list the versions in supported_versions (which then also rules out any version missing from the list).
            w.U16(offersTls13 ? 0x0303 : highestLegacy);
            w.Random(32);
            w.U8(32);
            w.Random(32); // a session id, as TLS 1.3 clients send for middleboxes
            var suites = w.Open(2);
            if (offersTls13)
            {
                w.U16s(Tls13Suites);
            }

            if (highestLegacy != 0)
            {
                w.U16s(PreferredSuites);
                if (!offersTls13)
                {
                    // With TLS 1.3's five too (a check for any TLS at all) the rest would pass 128 suites.
                    w.U16s(OtherSuites);
                }
            }

            w.U16(RenegotiationScsv);
            w.Close(suites);
            w.U8(1);
            w.U8(0); // compression: null only
            var extensions = w.Open(2);
            w.Close(w.Extension(0x0017)); // extended_master_secret, empty: first, since some servers refuse an empty last extension
            var hostName = SniName(serverName);
            if (hostName != null)
            {
                var sni = w.Extension(0x0000);
                var names = w.Open(2);
                w.U8(0); // host_name
                var name = w.Open(2);
                w.Bytes(hostName);
                w.Close(name);
                w.Close(names);
                w.Close(sni);
            }

            w.ListExtension(0x000A, Groups); // supported_groups
            var pointFormats = w.Extension(0x000B);
            w.U8(1);
            w.U8(0); // uncompressed
            w.Close(pointFormats);
            w.ListExtension(0x000D, SignatureSchemes); // signature_algorithms
            if (offersTls13)
            {
                var supported = w.Extension(0x002B);
                var list = w.Open(1);
                for (var version = 0x0304; version >= 0x0301; version--)
                {
                    if (versions.Contains(version))
                    {
                        w.U16(version);
                    }
                }

                w.Close(list);
                w.Close(supported);
                var modes = w.Extension(0x002D);
                w.U8(1);
                w.U8(1); // psk_key_exchange_modes: psk_dhe_ke
                w.Close(modes);
                var keyShare = w.Extension(0x0033);
                var shares = w.Open(2);
                w.U16(0x001D); // x25519
                w.U16(32);
                w.Random(32);
                w.Close(shares);
                w.Close(keyShare);
            }

            // The handshake message is everything after the record's 5-byte header; 256-511 bytes hang some F5 devices.
            var messageLength = w.Length - 5;
            if (messageLength > 0xFF && messageLength < 0x200)
            {
                var padding = w.Extension(0x0015);
                w.Zeros(Math.Max(1, 0x200 - messageLength - 4));
                w.Close(padding);
            }

            w.Close(extensions);
            w.Close(hello);
            w.Close(record);
            return w.ToArray();
        }

        /// <summary>
        /// The body of the first handshake message once it is complete in <paramref name="buffer"/>: null (complete)
        /// when that message is not a ServerHello or is too long to be one; <paramref name="complete"/> false while more
        /// records are needed (a ServerHello may be split across records).
        /// </summary>
        private static byte[]? ServerHelloBody(byte[] buffer, int count, out bool complete)
        {
            complete = false;
            if (count < 4)
            {
                return null;
            }

            var length = (buffer[1] << 16) | (buffer[2] << 8) | buffer[3];
            if (buffer[0] != 0x02 || length > MaxServerHello)
            {
                complete = true;
                return null;
            }

            if (count < 4 + length)
            {
                return null;
            }

            complete = true;
            var body = new byte[length];
            Array.Copy(buffer, 4, body, 0, length);
            return body;
        }

        /// <summary>The version a ServerHello chose: its supported_versions extension when present, else its version field; 0 when malformed.</summary>
        internal static int ChosenVersion(byte[] serverHello)
        {
            var reader = new Reader(serverHello);
            var version = reader.U16();
            reader.Skip(32);                // random (a HelloRetryRequest has a fixed one; it is still TLS 1.3's answer)
            reader.Skip(reader.U8());       // session id
            reader.Skip(3);                 // cipher suite, compression
            if (reader.Failed)
            {
                return 0;
            }

            if (reader.Left == 0)
            {
                return version;             // no extensions: TLS 1.2 and older may omit them
            }

            var extensions = new Reader(reader.Take(reader.U16()));
            while (!reader.Failed && !extensions.Failed && extensions.Left > 0)
            {
                var type = extensions.U16();
                var data = new Reader(extensions.Take(extensions.U16()));
                if (type == 0x002B)
                {
                    var selected = data.U16();
                    return data.Failed ? 0 : selected;
                }
            }

            return reader.Failed || extensions.Failed ? 0 : version;
        }

        /// <summary>The host name for server_name (RFC 6066: a DNS name in A-labels, never an address), or null.</summary>
        private static byte[]? SniName(string serverName)
        {
            var name = serverName.TrimEnd('.');
            if (name.Length == 0 || IPAddress.TryParse(name.Trim('[', ']'), out _))
            {
                return null;
            }

            try
            {
                return Encoding.ASCII.GetBytes(new IdnMapping().GetAscii(name));
            }
            catch (ArgumentException)
            {
                return null; // not a name a certificate could carry either: offered without SNI
            }
        }

        private static async Task<bool> ReadExactlyAsync(Stream stream, byte[] buffer, int count, CancellationToken cancellationToken)
        {
            var filled = 0;
            while (filled < count)
            {
                var read = await stream.ReadAsync(buffer, filled, count - filled, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return false;
                }

                filled += read;
            }

            return true;
        }

        /// <summary>Big-endian TLS encoding; a length-prefixed vector is opened, written, then closed, which fills in its length.</summary>
        private sealed class Writer
        {
            private readonly List<byte> _bytes = new List<byte>(1024);

            public void U8(int value) => _bytes.Add((byte)value);

            public void U16(int value)
            {
                U8(value >> 8);
                U8(value);
            }

            public void U16s(int[] values)
            {
                foreach (var value in values)
                {
                    U16(value);
                }
            }

            public int Length => _bytes.Count;

            public void Bytes(byte[] bytes) => _bytes.AddRange(bytes);

            public void Zeros(int count)
            {
                for (var i = 0; i < count; i++)
                {
                    _bytes.Add(0);
                }
            }

            public void Random(int count)
            {
                var bytes = new byte[count];
                Rng.GetBytes(bytes); // thread-safe
                Bytes(bytes);
            }

            /// <summary>Starts a vector whose length takes <paramref name="lengthBytes"/> bytes; returns where it starts.</summary>
            public int Open(int lengthBytes)
            {
                for (var i = 0; i < lengthBytes; i++)
                {
                    _bytes.Add(0);
                }

                return (_bytes.Count << 2) | lengthBytes;
            }

            /// <summary>An extension's type, then its data as a vector of two length bytes.</summary>
            public int Extension(int type)
            {
                U16(type);
                return Open(2);
            }

            /// <summary>An extension whose data is one vector of 16-bit values (supported_groups, signature_algorithms).</summary>
            public void ListExtension(int type, int[] values)
            {
                var extension = Extension(type);
                var list = Open(2);
                U16s(values);
                Close(list);
                Close(extension);
            }

            public void Close(int opened)
            {
                var lengthBytes = opened & 3;
                var start = opened >> 2;
                var length = _bytes.Count - start;
                for (var i = 0; i < lengthBytes; i++)
                {
                    _bytes[start - 1 - i] = (byte)(length >> (8 * i));
                }
            }

            public byte[] ToArray() => _bytes.ToArray();
        }

        /// <summary>Reads a server's bytes without ever throwing: a read past the end sets <see cref="Failed"/>.</summary>
        private sealed class Reader
        {
            private readonly byte[] _bytes;
            private int _at;

            public Reader(byte[] bytes) => _bytes = bytes;

            public bool Failed { get; private set; }

            public int Left => _bytes.Length - _at;

            public int U8() => Has(1) ? _bytes[_at++] : 0;

            public int U16() => Has(2) ? (_bytes[_at++] << 8) | _bytes[_at++] : 0;

            public void Skip(int count)
            {
                if (Has(count))
                {
                    _at += count;
                }
            }

            public byte[] Take(int count)
            {
                if (!Has(count))
                {
                    return Array.Empty<byte>();
                }

                var taken = new byte[count];
                Array.Copy(_bytes, _at, taken, 0, count);
                _at += count;
                return taken;
            }

            private bool Has(int count)
            {
                if (Failed || count > Left)
                {
                    Failed = true;
                    return false;
                }

                return true;
            }
        }
    }
}
