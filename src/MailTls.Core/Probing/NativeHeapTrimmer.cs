using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;

namespace MailTls.Probing
{
    /// <summary>
    /// Hands the native memory that finished probes have freed back to the system, at most once a second, on Linux
    /// with glibc. OpenSSL frees a connection's buffers and handshake state on whichever pool thread ends it, into that
    /// thread's glibc arena, and glibc keeps most of what is freed in an arena; over a fan-out of thousands of probes
    /// that freed memory stays in the process. Measured on 10,000 probes, 128 at a time: peak RSS 186-198 MB without,
    /// 165-177 MB with. The first call starts a trim at once: pwsh's own start-up leaves 20 MB or more freed but resident in
    /// glibc's arenas, and a fan-out's peak comes in its first second, when 128 probes start together.
    /// malloc_trim only gives back free pages; it changes no setting of the host's allocator. Elsewhere
    /// (Windows, macOS, musl without malloc_trim) it does nothing.
    /// </summary>
    internal sealed class NativeHeapTrimmer
    {
        private static readonly bool IsLinux = RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
        private long _lastTrim = Stopwatch.GetTimestamp() - Stopwatch.Frequency; // the first call may trim at once
        private int _unavailable;

        [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
        private static extern int MallocTrim(UIntPtr pad);

        /// <summary>
        /// Starts a trim of the native heap on a pool thread unless one was started less than a second ago (by any
        /// thread) or it cannot be done here. Not on the caller's thread: the first trim of a session walks everything
        /// the host left in its arenas (10-15 ms measured after pwsh's start and an import), which the probe that asked
        /// would otherwise wait for before it even connects.
        /// </summary>
        /// <returns>Whether this call started a trim.</returns>
        public bool TryTrim()
        {
            var now = Stopwatch.GetTimestamp();
            var last = Interlocked.Read(ref _lastTrim);
            if (!IsLinux || Volatile.Read(ref _unavailable) != 0 || now - last < Stopwatch.Frequency
                || Interlocked.CompareExchange(ref _lastTrim, now, last) != last)
            {
                return false;
            }

            ThreadPool.UnsafeQueueUserWorkItem(_ => Trim(), null);
            return true;
        }

        /// <summary>Trims the native heap now, on this thread.</summary>
        /// <returns>Whether glibc's malloc_trim was there to call (after the first false, <see cref="TryTrim"/> starts no more).</returns>
        internal bool Trim()
        {
            try
            {
                MallocTrim(UIntPtr.Zero);
                return true;
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
            {
                Volatile.Write(ref _unavailable, 1); // not glibc (musl names its library otherwise, and has no malloc_trim)
            }

            return false;
        }
    }
}
