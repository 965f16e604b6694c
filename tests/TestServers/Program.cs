using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using MailTls.TestServers;

// serve --state DIR : start every test server, write DIR/state.json, print "ready", run until stdin closes or SIGTERM.
// stop  --state DIR : stop what a serve left running in DIR.
if (args.Length != 3 || args[1] != "--state" || (args[0] != "serve" && args[0] != "stop"))
{
    Console.Error.WriteLine("usage: MailTls.TestServers serve|stop --state DIR");
    return 2;
}

var directory = Path.GetFullPath(args[2]);
if (args[0] == "stop")
{
    TestServerSet.StopStale(directory);
    return 0;
}

using var servers = TestServerSet.Start(directory);
servers.WriteState(Path.Combine(directory, "state.json"));
using var done = new ManualResetEventSlim();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; done.Set(); });
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; done.Set(); });
new Thread(() =>
{
    // The parent holds our stdin; when it closes it (or dies), the servers go.
    while (Console.In.ReadLine() != null)
    {
    }

    done.Set();
}) { IsBackground = true }.Start();
Console.WriteLine("ready " + Path.Combine(directory, "state.json"));
Console.Out.Flush();
done.Wait();
return 0;
