using System.Collections.Generic;
using System.IO;

namespace MailTls.Clients
{
    /// <summary>Every client configurator, one per <see cref="MailClient"/>, with the folders each keeps its profiles in.</summary>
    internal static class ClientConfigurators
    {
        /// <remarks>Netscape comes before Thunderbird: a Netscape 6/7 profile (a *.slt folder) looks like any Mozilla profile.</remarks>
        public static IReadOnlyList<ClientConfigurator> All { get; } = new ClientConfigurator[]
        {
            new NetscapeConfigurator(),
            new MozillaConfigurator(MailClient.Thunderbird, home => new[]
            {
                home.Combine(".thunderbird"),
                home.Combine(".mozilla-thunderbird"),
                home.Combine(".icedove"),
                home.Combine("snap", "thunderbird", "common", ".thunderbird"),
                home.Combine(".var", "app", "org.mozilla.Thunderbird", ".thunderbird"),
                Path.Combine(home.AppData, "Thunderbird"),
                home.Library("Thunderbird"),
            }),
            new MozillaConfigurator(MailClient.SeaMonkey, home => new[]
            {
                home.Combine(".mozilla", "seamonkey"),
                Path.Combine(home.AppData, "Mozilla", "SeaMonkey"),
                home.Library("Application Support", "SeaMonkey"),
            }),
            new MsmtpConfigurator(),
            new FetchmailConfigurator(),
            new MbsyncConfigurator(),
            new MuttConfigurator(),
            new EvolutionConfigurator(),
            new ClawsMailConfigurator(),
            new EudoraConfigurator(),
            new WindowsLiveMailConfigurator(),
            WindowsLiveMailConfigurator.WindowsMail(),
            Registry.InternetAccountManagerConfigurator.OutlookExpress(Registry.WindowsRegistryStore.Instance),
            Registry.InternetAccountManagerConfigurator.OutlookInternetMailOnly(Registry.WindowsRegistryStore.Instance),
            new Registry.OutlookProfileConfigurator(Registry.WindowsRegistryStore.Instance),

            // Last: it recognises any file with a [retriever] section.
            new GetmailConfigurator(),
        };
    }
}
