namespace MailTls
{
    /// <summary>A mail client whose settings Get-ClientSsl reads and Set-ClientSsl changes: one name per configurator.</summary>
    public enum MailClient
    {
        /// <summary>Mozilla Thunderbird (profiles.ini, prefs.js, user.js).</summary>
        Thunderbird,

        /// <summary>SeaMonkey's mail (the same files as Thunderbird).</summary>
        SeaMonkey,

        /// <summary>Netscape 6.x/7.x Mail (Mozilla profiles), and Netscape Messenger 4.7x (its own preferences file).</summary>
        Netscape,

        /// <summary>msmtp (~/.msmtprc).</summary>
        Msmtp,

        /// <summary>fetchmail (~/.fetchmailrc).</summary>
        Fetchmail,

        /// <summary>isync's mbsync (~/.mbsyncrc).</summary>
        Mbsync,

        /// <summary>Mutt and NeoMutt (muttrc).</summary>
        Mutt,

        /// <summary>GNOME Evolution (~/.config/evolution/sources/*.source).</summary>
        Evolution,

        /// <summary>Claws Mail (accountrc).</summary>
        ClawsMail,

        /// <summary>getmail 6 (getmailrc files).</summary>
        Getmail,

        /// <summary>Eudora 5.x to 7.x for Windows (Eudora.ini, one section per personality).</summary>
        Eudora,

        /// <summary>Windows Live Mail 2011/2012 (account{GUID}.oeaccount XML files).</summary>
        WindowsLiveMail,

        /// <summary>Apple Mail (OS X Mail): its store is not safely writable, so Set-ClientSsl writes a configuration profile (.mobileconfig) to install.</summary>
        AppleMail,

        /// <summary>Eudora 5.x for Mac ("Eudora Settings"): a store MailTls does not write; Set-ClientSsl gives the exact steps.</summary>
        EudoraMac,

        /// <summary>Outlook Express 5 for Mac (a database store): Set-ClientSsl gives the exact steps.</summary>
        OutlookExpressMac,

        /// <summary>Microsoft Entourage (a database store): Set-ClientSsl gives the exact steps.</summary>
        Entourage,

        /// <summary>An application's own "Use SSL / Use StartTls / Port" settings in a JSON, XML or INI file (or XML in a zip), addressed by -Map.</summary>
        Settings,

        /// <summary>Outlook Express 5 and 6 for Windows (the Internet Account Manager's registry keys).</summary>
        OutlookExpress,

        /// <summary>Outlook for Windows: 98/2000 in Internet Mail Only mode, and the POP3/IMAP accounts of 2002 to 2021 and Microsoft 365's classic Outlook (registry keys).</summary>
        Outlook,

        /// <summary>Windows Mail on Windows Vista (account{GUID}.oeaccount XML files, like Windows Live Mail's).</summary>
        WindowsMail,

        /// <summary>IncrediMail (its own registry tree, not documented anywhere): Set-ClientSsl gives the exact steps.</summary>
        IncrediMail,
    }
}
