using System.Text.Json.Nodes;

namespace Reelgate.Client;

/// <summary>A typed input of one model: the model id and the input object as sent on the wire.</summary>
public interface IGenerationInput
{
    /// <summary>The model id the input is for.</summary>
    string Model { get; }

    /// <summary>The input as the wire's JSON object (the catalog's field names); null fields are left out.</summary>
    JsonObject ToJson();
}
