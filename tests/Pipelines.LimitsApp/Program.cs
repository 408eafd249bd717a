using System.Globalization;
using Pipelines;
using Pipelines.LimitsApp;

// The child process of the limits and shutdown tests.
//
//   socket <port> <max record length>
//       Reads lines from 127.0.0.1:<port> (SocketTextStream) and prints "line <length> <first 16 chars>" for each
//       record and "error <message>" for each receiver error; stops after a line "END". The tests run it under
//       DOTNET_GCHeapHardLimit and send a line far longer than that.
//   signal <input folder> <output folder> <checkpoint folder> <graceful: true|false>
//       A checkpointed TextFileStream whose output writes out-<t>.txt; a batch holding the line "SLOW" first writes
//       inflight-<t> and waits 3 s (cancellable). Prints "started", waits for termination, prints "stopped". The
//       tests send it SIGTERM or SIGINT.
return args switch
{
    ["socket", var port, var max] => await SocketMode.RunAsync(int.Parse(port, CultureInfo.InvariantCulture), int.Parse(max, CultureInfo.InvariantCulture)),
    ["signal", var input, var output, var checkpoint, var graceful] => await SignalMode.RunAsync(input, output, checkpoint, bool.Parse(graceful)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("Usage: Pipelines.LimitsApp socket <port> <max record length> | signal <input> <output> <checkpoint> <graceful>");
    return 2;
}
