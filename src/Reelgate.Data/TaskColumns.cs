using System.Data.Common;
using Reelgate.Core.Catalog;
using Reelgate.Core.Tasks;

namespace Reelgate.Data;

/// <summary>The tasks table's column list and its mapping to <see cref="TaskRecord"/>, the same on every backend.</summary>
internal static class TaskColumns
{
    public const string List =
        "id, account_id, key_id, model, state, param, input, cost, seed, callback_url, result_key, fail_code, fail_msg, " +
        "create_time, start_time, complete_time, update_time, progress, attempts, lease_token, thumbnail_key, base_url, results_expired_at, spec";

    public static TaskRecord Read(DbDataReader r) => new()
    {
        TaskId = r.GetString(0),
        AccountId = r.GetString(1),
        KeyId = r.GetString(2),
        Model = r.GetString(3),
        State = r.GetString(4),
        Param = r.GetString(5),
        Input = r.GetString(6),
        Cost = r.GetInt64(7),
        Seed = r.GetInt64(8),
        CallBackUrl = r.IsDBNull(9) ? null : r.GetString(9),
        ResultKey = r.IsDBNull(10) ? null : r.GetString(10),
        FailCode = r.IsDBNull(11) ? null : r.GetString(11),
        FailMsg = r.IsDBNull(12) ? null : r.GetString(12),
        CreateTime = r.GetInt64(13),
        StartTime = r.IsDBNull(14) ? null : r.GetInt64(14),
        CompleteTime = r.IsDBNull(15) ? null : r.GetInt64(15),
        UpdateTime = r.GetInt64(16),
        Progress = r.GetInt32(17),
        Attempts = r.GetInt32(18),
        Running = !r.IsDBNull(19),
        ThumbnailKey = r.IsDBNull(20) ? null : r.GetString(20),
        BaseUrl = r.IsDBNull(21) ? null : r.GetString(21),
        ResultsExpiredAt = r.IsDBNull(22) ? null : r.GetInt64(22),
        SpecJson = r.IsDBNull(23) ? null : r.GetString(23),
    };
}
