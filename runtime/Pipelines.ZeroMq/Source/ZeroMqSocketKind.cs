namespace Pipelines.ZeroMq;

/// <summary>The ZeroMQ socket a ZeroMQ receiver reads with.</summary>
internal enum ZeroMqSocketKind
{
    /// <summary>A SUB socket: the messages a PUB peer publishes on the subscribed topics.</summary>
    Subscriber,

    /// <summary>A PULL socket: the messages PUSH peers send, each to one puller.</summary>
    Pull,
}
