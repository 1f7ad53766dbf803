using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OpenMme.MemoryTier;

namespace OpenMme.Telemetry;

/// <summary>
/// The access log an instance writes when asked (<c>serve --access-log</c>): one JSON line per
/// request the memory tier answered, <c>{"time","model","bytes","outcome","loadSeconds"}</c>, which
/// <c>openmme plan</c> and <c>openmme bench</c> replay. Requests are queued without waiting or
/// allocating and written by one background writer; when the writer falls behind by more than
/// the queue holds, lines are dropped and counted, never the request delayed.
/// </summary>
public sealed partial class AccessLog : IAsyncDisposable
{
    private const int QueueLength = 1 << 16;

    private readonly Channel<AccessRecord> _queue = Channel.CreateBounded<AccessRecord>(
        new BoundedChannelOptions(QueueLength) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly ILogger _logger;
    private readonly Task _writing;
    private long _dropped;

    /// <summary>Creates (or overwrites) the log at <paramref name="path"/> and starts its writer.</summary>
    public AccessLog(string path, ILogger<AccessLog> logger)
    {
        Path = System.IO.Path.GetFullPath(path);
        _logger = logger;
        var stream = new FileStream(Path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        _writing = WriteAsync(stream);
    }

    /// <summary>The log's full path.</summary>
    public string Path { get; }

    /// <summary>Lines dropped because the writer fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues one line; never waits.</summary>
    public void Record(in AccessRecord record)
    {
        if (!_queue.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Writes what is queued and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writing.ConfigureAwait(false);
        if (Dropped > 0)
        {
            LogDropped(Dropped, Path);
        }
    }

    /// <summary>Reads an access log; lines in the order they were written.</summary>
    public static List<AccessRecord> Read(string path)
    {
        var records = new List<AccessRecord>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                records.Add(Parse(line));
            }
            catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
            {
                throw new FormatException($"{path} line {number} is not an access log line ({{\"time\",\"model\",\"bytes\",\"outcome\",\"loadSeconds\"}}): {e.Message}", e);
            }
        }

        return records;
    }

    private static AccessRecord Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var name = root.GetProperty("outcome").GetString();
        if (!CacheOutcomeNames.TryParse(name, out var outcome))
        {
            throw new FormatException($"outcome '{name}' is not hit, disk or miss");
        }

        return new AccessRecord(root.GetProperty("time").GetDateTimeOffset(), root.GetProperty("model").GetString() ?? throw new FormatException("model is null"),
            root.GetProperty("bytes").GetInt64(), outcome, root.GetProperty("loadSeconds").GetDouble());
    }

    private async Task WriteAsync(FileStream stream)
    {
        await using (stream.ConfigureAwait(false))
        {
            using var json = new Utf8JsonWriter(stream);
            var reader = _queue.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var record))
                {
                    Write(json, record);
                    stream.WriteByte((byte)'\n');
                }

                // Caught up: what was answered is on disk, for a reader following the file.
                await stream.FlushAsync().ConfigureAwait(false);
            }
        }
    }

    private static void Write(Utf8JsonWriter json, in AccessRecord record)
    {
        json.Reset();
        json.WriteStartObject();
        json.WriteString("time", record.Time.UtcDateTime);
        json.WriteString("model", record.Model);
        json.WriteNumber("bytes", record.Bytes);
        json.WriteString("outcome", CacheOutcomeNames.Of(record.Outcome));
        json.WriteNumber("loadSeconds", Math.Round(record.LoadSeconds, 6));
        json.WriteEndObject();
        json.Flush();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The access log {Path} fell behind and dropped {Count} lines")]
    private partial void LogDropped(long count, string path);
}
