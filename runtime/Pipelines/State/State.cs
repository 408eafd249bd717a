namespace Pipelines;

/// <summary>
/// The state of one key, handed to a <c>MapWithState</c> mapping function (Spark's <c>State</c>): read it with
/// <see cref="Exists"/> and <see cref="Get"/>, change it with <see cref="Update"/> or <see cref="Remove"/>. When
/// <see cref="IsTimingOut"/> is true the key was idle past the <see cref="StateSpec{TKey, TValue, TState, TMapped}.Timeout"/>
/// and this is its last call: the state can be read but not changed, and is removed afterwards.
/// </summary>
/// <remarks>The object is only valid during the call; do not keep it.</remarks>
/// <typeparam name="TState">The type of the state.</typeparam>
public sealed class State<TState>
{
    private TState _value = default!;

    internal State()
    {
    }

    /// <summary>Whether the key has a state.</summary>
    public bool Exists { get; private set; }

    /// <summary>Whether the key is being removed because it was idle longer than the timeout; this is its last call.</summary>
    public bool IsTimingOut { get; private set; }

    internal bool IsUpdated { get; private set; }

    internal bool IsRemoved { get; private set; }

    /// <summary>The state.</summary>
    /// <exception cref="InvalidOperationException">The key has no state; check <see cref="Exists"/> or use <see cref="GetOption"/>.</exception>
    public TState Get() =>
        Exists ? _value : throw new InvalidOperationException("The key has no state (it was never set, or was removed); check State.Exists first or use GetOption().");

    /// <summary>The state, or None when the key has none.</summary>
    public Optional<TState> GetOption() => Exists ? new Optional<TState>(_value) : default;

    /// <summary>Sets the key's state.</summary>
    /// <exception cref="InvalidOperationException">The state is timing out, or was removed in this call.</exception>
    public void Update(TState newState)
    {
        if (IsRemoved)
        {
            throw new InvalidOperationException("Cannot update the state after it has been removed in the same call.");
        }

        if (IsTimingOut)
        {
            throw new InvalidOperationException("Cannot update a state that is timing out: it is removed after this call (State.IsTimingOut is true).");
        }

        _value = newState;
        Exists = true;
        IsUpdated = true;
    }

    /// <summary>Removes the key's state.</summary>
    /// <exception cref="InvalidOperationException">The state is timing out (it is removed anyway), or was already removed in this call.</exception>
    public void Remove()
    {
        if (IsTimingOut)
        {
            throw new InvalidOperationException("Cannot remove a state that is timing out: it is removed after this call anyway.");
        }

        if (IsRemoved)
        {
            throw new InvalidOperationException("Cannot remove the state: it has already been removed in this call.");
        }

        _value = default!;
        Exists = false;
        IsUpdated = false;
        IsRemoved = true;
    }

    /// <summary><c>State(value)</c>, <c>State(&lt;none&gt;)</c>, and whether it is timing out.</summary>
    public override string ToString() =>
        (Exists ? $"State({_value})" : "State(<none>)") + (IsTimingOut ? " timing out" : string.Empty);

    /// <summary>Points the object at a key's current state before a call.</summary>
    internal void Wrap(Optional<TState> current)
    {
        _value = current.HasValue ? current.Value : default!;
        Exists = current.HasValue;
        IsTimingOut = false;
        IsUpdated = false;
        IsRemoved = false;
    }

    /// <summary>Points the object at the state of a key that timed out, for its last call.</summary>
    internal void WrapTimingOut(TState current)
    {
        _value = current;
        Exists = true;
        IsTimingOut = true;
        IsUpdated = false;
        IsRemoved = false;
    }
}
