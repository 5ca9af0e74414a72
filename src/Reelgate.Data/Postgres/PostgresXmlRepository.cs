using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Reelgate.Data.Postgres;

/// <summary>
/// The data-protection key ring in PostgreSQL (table <c>dataprotection_keys</c>), shared by all
/// nodes: a cookie or antiforgery token made by one node is readable by every other.
/// </summary>
public sealed class PostgresXmlRepository(PostgresDatabase db) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var conn = db.Source.OpenConnection();
        using var cmd = new NpgsqlCommand("SELECT xml FROM dataprotection_keys ORDER BY created_at, name", conn);
        using var r = cmd.ExecuteReader();
        var list = new List<XElement>();
        while (r.Read())
        {
            list.Add(XElement.Parse(r.GetString(0)));
        }

        return list;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var conn = db.Source.OpenConnection();
        using var cmd = new NpgsqlCommand("INSERT INTO dataprotection_keys (name, xml) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", conn)
        {
            Parameters = { new() { Value = friendlyName }, new() { Value = element.ToString(SaveOptions.DisableFormatting) } },
        };
        cmd.ExecuteNonQuery();
    }
}
