using System.Management.Automation;

namespace MailTls.PowerShell
{
    /// <summary>
    /// Turns an empty or blank string into "not given". A CSV row that leaves Port, Protocol or Security blank then
    /// means "infer it" (as on the command line), instead of binding as port 0 or failing to convert.
    /// </summary>
    public sealed class EmptyAsNullAttribute : ArgumentTransformationAttribute
    {
        /// <inheritdoc />
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            return value is string text && string.IsNullOrWhiteSpace(text) ? null : inputData;
        }
    }
}
