using System.Runtime.InteropServices;

namespace Pipelines.Kafka.Testing;

/// <summary>
/// librdkafka's in-process mock Kafka cluster, for tests and samples where no broker runs: a real Kafka-protocol
/// peer (produce, fetch, idempotence, transactions, read_committed, consumer groups, offset commits) that lives as
/// long as this object. Clients in this and in other processes connect to <see cref="BootstrapServers"/>.
/// </summary>
/// <remarks>
/// What the mock lacks (measured with librdkafka 2.16.0): no CreateTopics/DeleteTopics admin API (use
/// <see cref="CreateTopic"/>, or let the first produce auto-create a topic with 4 partitions); offsets sent with
/// <c>SendOffsetsToTransaction</c> are not visible to <c>Committed()</c>; each partition keeps at most 5 MiB or
/// 100,000 batches and silently drops the oldest. Nothing survives <see cref="Dispose"/>.
/// </remarks>
/// <example>
/// <code>
/// using var cluster = new KafkaMockCluster(brokers: 3);
/// cluster.CreateTopic("lines", partitions: 8);
/// var config = new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "g" };
/// </code>
/// </example>
public sealed class KafkaMockCluster : IDisposable
{
    private const string Library = "librdkafka";
    private static readonly object ResolverGate = new();
    private static bool _resolverSet;
    private IntPtr _handle;
    private readonly IntPtr _cluster;

    /// <summary>Starts a mock cluster of <paramref name="brokers"/> brokers on loopback ports chosen by the OS.</summary>
    /// <exception cref="InvalidOperationException">librdkafka could not start the mock cluster.</exception>
    public KafkaMockCluster(int brokers = 3)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(brokers);
        UseConfluentNativeLibrary();
        var conf = NativeMethods.rd_kafka_conf_new();
        var error = new byte[512];
        Set(conf, "test.mock.num.brokers", brokers.ToString(System.Globalization.CultureInfo.InvariantCulture), error);
        Set(conf, "log_level", "3", error);
        _handle = NativeMethods.rd_kafka_new(0 /* producer */, conf, error, (UIntPtr)error.Length);
        if (_handle == IntPtr.Zero)
        {
            throw new InvalidOperationException("librdkafka could not start a mock cluster: " + Text(error));
        }

        _cluster = NativeMethods.rd_kafka_handle_mock_cluster(_handle);
        if (_cluster == IntPtr.Zero)
        {
            NativeMethods.rd_kafka_destroy(_handle);
            _handle = IntPtr.Zero;
            throw new InvalidOperationException("librdkafka started a client but no mock cluster (test.mock.num.brokers was ignored).");
        }

        BootstrapServers = Marshal.PtrToStringUTF8(NativeMethods.rd_kafka_mock_cluster_bootstraps(_cluster))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
    }

    /// <summary>The brokers' addresses (<c>127.0.0.1:port,...</c>), for <c>BootstrapServers</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>Creates <paramref name="topic"/> with <paramref name="partitions"/> partitions (the mock has no CreateTopics API).</summary>
    /// <exception cref="InvalidOperationException">The topic could not be created (e.g. it exists).</exception>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(replicationFactor);
        ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
        var code = NativeMethods.rd_kafka_mock_topic_create(_cluster, topic, partitions, replicationFactor);
        if (code != 0)
        {
            throw new InvalidOperationException($"The mock cluster could not create topic '{topic}' (librdkafka error {code}): it may exist already.");
        }
    }

    /// <summary>Stops the cluster; its data is gone.</summary>
    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (handle != IntPtr.Zero)
        {
            NativeMethods.rd_kafka_destroy(handle);
        }
    }

    /// <summary>
    /// Binds this class's native calls to the librdkafka build Confluent.Kafka loads: librdkafka.redist ships several
    /// Linux builds (glibc with SASL, CentOS 8, Alpine) and Confluent.Kafka picks the first that loads on the machine.
    /// </summary>
    private static void UseConfluentNativeLibrary()
    {
        lock (ResolverGate)
        {
            if (!_resolverSet)
            {
                Confluent.Kafka.Library.Load();
                NativeLibrary.SetDllImportResolver(typeof(KafkaMockCluster).Assembly, Resolve);
                _resolverSet = true;
            }
        }
    }

    private static IntPtr Resolve(string name, System.Reflection.Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library)
        {
            return IntPtr.Zero;
        }

        if (NativeLibrary.TryLoad(name, assembly, path, out var handle))
        {
            return handle;
        }

        foreach (var folder in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(Confluent.Kafka.Library).Assembly.Location) ?? string.Empty })
        {
            var native = Path.Combine(folder, "runtimes", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "native");
            foreach (var candidate in new[] { "librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so", "librdkafka.dylib", "librdkafka.dll" })
            {
                if (NativeLibrary.TryLoad(Path.Combine(native, candidate), out handle))
                {
                    return handle;
                }
            }
        }

        return IntPtr.Zero;
    }

    private static void Set(IntPtr conf, string name, string value, byte[] error)
    {
        if (NativeMethods.rd_kafka_conf_set(conf, name, value, error, (UIntPtr)error.Length) != 0)
        {
            NativeMethods.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException($"librdkafka rejected {name}={value}: {Text(error)}");
        }
    }

    private static string Text(byte[] error)
    {
        var end = Array.IndexOf(error, (byte)0);
        return System.Text.Encoding.UTF8.GetString(error, 0, end < 0 ? error.Length : end);
    }

    private static class NativeMethods
    {
#pragma warning disable SA1300, IDE1006 // native names
        [DllImport(Library)]
        public static extern IntPtr rd_kafka_conf_new();

        [DllImport(Library)]
        public static extern void rd_kafka_conf_destroy(IntPtr conf);

        [DllImport(Library, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int rd_kafka_conf_set(IntPtr conf, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, byte[] errstr, UIntPtr errstrSize);

        [DllImport(Library)]
        public static extern IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, UIntPtr errstrSize);

        [DllImport(Library)]
        public static extern void rd_kafka_destroy(IntPtr rk);

        [DllImport(Library)]
        public static extern IntPtr rd_kafka_handle_mock_cluster(IntPtr rk);

        [DllImport(Library)]
        public static extern IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr mcluster);

        [DllImport(Library, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int rd_kafka_mock_topic_create(IntPtr mcluster, [MarshalAs(UnmanagedType.LPUTF8Str)] string topic, int partitionCount, int replicationFactor);
#pragma warning restore SA1300, IDE1006
    }
}
