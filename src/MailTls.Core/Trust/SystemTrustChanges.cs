using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace MailTls.Trust
{
    /// <summary>
    /// Makes a probe judge by the system store as it is, right after this process changed it. .NET on Linux keeps the
    /// store it read (the module reads it at import, see TrustStoreWarmUp; any earlier probe did too) and looks at the
    /// files' times again only 5 s after reading them (OpenSslCachedSystemStoreProvider), so a chain built sooner
    /// would still trust a root just removed, or not one just added. Only the Linux anchor-folder stores call
    /// <see cref="Changed"/>: Windows and macOS read their stores live.
    /// </summary>
    internal static class SystemTrustChanges
    {
        // .NET's recheck interval, and a little more for the file times' own resolution.
        private static readonly TimeSpan PlatformRecheck = TimeSpan.FromSeconds(5.5);
        // Static on purpose: what it tracks, .NET's one store cache, is itself one per process.
        private static long _changedAt; // Stopwatch ticks of the last change; 0: none

        /// <summary>This process has just changed the system store's files (an update tool ran).</summary>
        public static void Changed() => Interlocked.Exchange(ref _changedAt, Stopwatch.GetTimestamp());

        /// <summary>How long until a chain built in this process sees the last change; zero when there is none to wait for.</summary>
        public static TimeSpan UntilVisible
        {
            get
            {
                var changedAt = Interlocked.Read(ref _changedAt);
                if (changedAt == 0)
                {
                    return TimeSpan.Zero;
                }

                var since = TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - changedAt) / (double)Stopwatch.Frequency);
                return since < PlatformRecheck ? PlatformRecheck - since : TimeSpan.Zero;
            }
        }

        /// <summary>Waits until <see cref="UntilVisible"/> has passed.</summary>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public static Task WaitUntilVisibleAsync(CancellationToken cancellationToken)
        {
            var wait = UntilVisible;
            return wait > TimeSpan.Zero ? Task.Delay(wait, cancellationToken) : Task.CompletedTask;
        }
    }
}
