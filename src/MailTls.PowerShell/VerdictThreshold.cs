using System;
using System.Management.Automation;

namespace MailTls.PowerShell
{
    /// <summary>-FailOn: a scheduler acts on the exit code, so a verdict at or above the threshold ends the command.</summary>
    internal static class VerdictThreshold
    {
        /// <summary>After everything was written: a terminating error when <paramref name="worst"/> reaches <paramref name="failOn"/>.</summary>
        public static void ThrowIfReached(string? failOn, Verdict worst, int count)
        {
            if (failOn == null || !Enum.TryParse<Verdict>(failOn, out var threshold) || worst < threshold)
            {
                return;
            }

            var record = CmdletInput.Record(new InvalidOperationException($"verdict {worst}"), "VerdictThresholdReached", ErrorCategory.InvalidResult, worst,
                $"At least one of {count} endpoint(s) has the verdict {worst}, at or above -FailOn {failOn}. Every report was written; look at the ones with that verdict and their findings.");

            // Thrown as -ErrorAction Stop throws it, so it ends the whole script, not only this statement: pwsh -File
            // and pwsh -Command then exit with 1, which is what a scheduler acts on. try/catch still catches it.
            throw new VerdictThresholdException(record);
        }
    }

    /// <summary>The threshold error, carried the way -ErrorAction Stop carries an error (the engine ends the script on it).</summary>
    internal sealed class VerdictThresholdException : ActionPreferenceStopException
    {
        private readonly ErrorRecord _record;

        public VerdictThresholdException(ErrorRecord record)
            : base(record.ErrorDetails?.Message ?? record.Exception.Message) => _record = record;

        public override ErrorRecord ErrorRecord => _record;
    }
}
