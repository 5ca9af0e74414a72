namespace Reelgate.Server.Callbacks;

/// <summary>A connection <see cref="CallbackAddressPolicy.ConnectAsync"/> refused: the message says which address and why.</summary>
public sealed class AddressRefusedException(string message) : IOException(message);
