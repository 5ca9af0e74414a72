namespace Reelgate.Core.Tasks;

/// <summary>A task as stored. Times are Unix milliseconds.</summary>
public sealed record TaskRecord
{
    public required string TaskId { get; init; }
    public required string AccountId { get; init; }
    public required string KeyId { get; init; }
    public required string Model { get; init; }
    public required string State { get; init; }

    /// <summary>The original create request (model, input, callBackUrl) as JSON text.</summary>
    public required string Param { get; init; }

    /// <summary>
    /// The validated input with defaults applied, as JSON text. Still written for nodes of an older
    /// version during a rolling upgrade; this version reads <see cref="Spec"/>.
    /// </summary>
    public required string Input { get; init; }

    private Catalog.GenerationSpec? _spec;
    private string? _specJson;

    /// <summary>
    /// The generation spec resolved once at create, what the worker and engines read. Null only
    /// for a task stored before specs were (see <see cref="Catalog.StoredInput"/>). A record read
    /// from the store carries the stored JSON (<see cref="SpecJson"/>) and parses it on first
    /// use: most reads (recordInfo, lists) never need it, and parsing it was a quarter of
    /// recordInfo's own CPU time. Parsing is pure, so two threads racing here get equal specs.
    /// </summary>
    public Catalog.GenerationSpec? Spec
    {
        get => _spec ??= _specJson is null ? null : Catalog.GenerationSpecJson.Deserialize(_specJson);
        init
        {
            _spec = value;
            _specJson = null;
        }
    }

    /// <summary>The spec as stored (JSON text), parsed into <see cref="Spec"/> when that is first read.</summary>
    public string? SpecJson
    {
        get => _specJson ?? (_spec is null ? null : Catalog.GenerationSpecJson.Serialize(_spec));
        init
        {
            _specJson = value;
            _spec = null;
        }
    }

    public required long Cost { get; init; }
    public required long Seed { get; init; }
    public string? CallBackUrl { get; init; }

    /// <summary>The origin the client called when creating the task.</summary>
    public string? BaseUrl { get; init; }

    /// <summary>Key of the result file in the result store, on success.</summary>
    public string? ResultKey { get; init; }

    /// <summary>When the result files were removed by retention (the record stays); null while they exist.</summary>
    public long? ResultsExpiredAt { get; init; }

    /// <summary>Key of the poster JPEG in the result store, when the engine made one.</summary>
    public string? ThumbnailKey { get; init; }

    public string? FailCode { get; init; }
    public string? FailMsg { get; init; }
    public required long CreateTime { get; init; }
    public long? StartTime { get; init; }
    public long? CompleteTime { get; init; }
    public required long UpdateTime { get; init; }
    public int Progress { get; init; }
    public int Attempts { get; init; }

    /// <summary>True while a worker holds the task's lease (generating).</summary>
    public bool Running { get; init; }
}
