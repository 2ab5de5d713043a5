using System.Net.Sockets;

namespace Biobank.Labels.Printing;

/// <summary>A Zebra (or compatible) printer that takes ZPL raw over TCP, by convention on port 9100.</summary>
public sealed record PrinterEndpoint(string Name, string Host, int Port = 9100)
{
    public override string ToString() => $"printer '{Name}' at {Host}:{Port}";
}

public sealed record ZplPrinterOptions
{
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Connection attempts before giving up; a printer waking from sleep may refuse the first.</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>Wait before the second attempt; doubled before each later one.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>The printer could not take the labels; the message names the printer, its host and port, and what to check.</summary>
public sealed class PrinterUnavailableException : Exception
{
    public PrinterUnavailableException(PrinterEndpoint printer, string message, bool mayHavePrinted, Exception? innerException = null)
        : base(message, innerException)
    {
        Printer = printer;
        MayHavePrinted = mayHavePrinted;
    }

    public PrinterUnavailableException()
    {
        Printer = new PrinterEndpoint("", "");
    }

    public PrinterUnavailableException(string message)
        : base(message)
    {
        Printer = new PrinterEndpoint("", "");
    }

    public PrinterUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        Printer = new PrinterEndpoint("", "");
    }

    public PrinterEndpoint Printer { get; }

    /// <summary>True when the connection broke during sending, so some labels may have come out.</summary>
    public bool MayHavePrinted { get; }
}

/// <summary>
/// Sends ZPL to a printer over raw TCP ("port 9100 printing"): connect with a timeout, write the
/// bytes, close. Only the connection is retried — once bytes have gone out, sending again could
/// print every label twice, so a broken send is reported instead.
/// </summary>
public sealed class ZplPrinter(ZplPrinterOptions? options = null)
{
    private readonly ZplPrinterOptions _options = options ?? new ZplPrinterOptions();

    public ZplPrinterOptions Options => _options;

    /// <exception cref="PrinterUnavailableException">The printer is off, unreachable, refuses the connection or stops taking data.</exception>
    public async Task SendAsync(PrinterEndpoint printer, ReadOnlyMemory<byte> zpl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(printer);
        var attempts = Math.Max(1, _options.Attempts);
        var delay = _options.Backoff;
        Exception? last = null;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(delay, ct);
                delay *= 2;
            }

            var client = new TcpClient { NoDelay = true };
            try
            {
                using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                connectTimeout.CancelAfter(_options.ConnectTimeout);
                try
                {
                    await client.ConnectAsync(printer.Host, printer.Port, connectTimeout.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    last = new TimeoutException($"no answer within {_options.ConnectTimeout.TotalSeconds:0.#} s");
                    continue;
                }
                catch (SocketException e)
                {
                    last = e;
                    continue;
                }

                await WriteAsync(client, printer, zpl, ct);
                return;
            }
            finally
            {
                client.Dispose();
            }
        }

        throw new PrinterUnavailableException(printer,
            $"The {printer} did not accept the labels after {attempts} attempt(s): {Describe(last)}. " +
            "Check that it is switched on, online (not paused) and on the network, and that the host and port are right. Nothing was printed.",
            mayHavePrinted: false, last);
    }

    private async Task WriteAsync(TcpClient client, PrinterEndpoint printer, ReadOnlyMemory<byte> zpl, CancellationToken ct)
    {
        using var sendTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        sendTimeout.CancelAfter(_options.SendTimeout);
        try
        {
            var stream = client.GetStream();
            await stream.WriteAsync(zpl, sendTimeout.Token);
            await stream.FlushAsync(sendTimeout.Token);
            // Half-close so the printer sees the end of the job, then close.
            client.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            var why = e is OperationCanceledException ? $"it stopped taking data for {_options.SendTimeout.TotalSeconds:0.#} s" : Describe(e);
            throw new PrinterUnavailableException(printer,
                $"The {printer} broke off while receiving the labels: {why}. Some labels may have printed; check the printer (paper, ribbon, head open) before printing again.",
                mayHavePrinted: true, e);
        }
    }

    private static string Describe(Exception? e) => e switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "the connection was refused (nothing listens on that port)",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => "the host name is not known",
        SocketException { SocketErrorCode: SocketError.HostUnreachable or SocketError.NetworkUnreachable } => "the host cannot be reached",
        SocketException { SocketErrorCode: SocketError.TimedOut } => "no answer",
        IOException { InnerException: SocketException s } => Describe(s),
        null => "unknown error",
        _ => e.Message,
    };
}
