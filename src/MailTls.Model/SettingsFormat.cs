namespace MailTls
{
    /// <summary>The formats an application's settings file can have.</summary>
    public enum SettingsFormat
    {
        /// <summary>JSON (appsettings.json and the like); keys are dotted paths, <c>EmailService.OutgoingAccount.Port</c>, with <c>[n]</c> for arrays.</summary>
        Json,

        /// <summary>XML; keys are XPath expressions that select one attribute or one element with text.</summary>
        Xml,

        /// <summary>INI; keys are <c>Section/key</c> (or <c>key</c> before any section).</summary>
        Ini,
    }
}
