using Biobank.Core.Samples;
using Biobank.Core.Sites;
using Dapper;

namespace Biobank.Core.Demo;

/// <summary>
/// The study protocol, freezers and boxes at every site, patients by pseudonym, and for each patient 3–4
/// collections of five primary tubes aliquoted by plan (about 50 aliquots a visit) and stored in 10 × 10 boxes.
/// The newest visits of each site are left unstored so technicians see tubes waiting.
/// </summary>
public sealed class LabBenchDemo : IDemoSeedPart
{
    public int Order => 100;

    public static readonly (string Code, string Name, int Order, string Description)[] Timepoints =
    [
        ("BASELINE", "Baseline (before first fraction)", 1, "Before the first radiotherapy fraction"),
        ("EOT", "End of radiotherapy", 2, "Within a week after the last fraction"),
        ("M3", "3 months after radiotherapy", 3, "3 months after the end of radiotherapy"),
        ("M12", "12 months after radiotherapy", 4, "12 months after the end of radiotherapy"),
    ];

    // code, name, kind, SPREC type, SPREC container, centrifuged, default µL, colour
    public static readonly (string Code, string Name, string Kind, string Type, string Container, bool Spun, decimal Volume, string Colour)[] Types =
    [
        ("EDTA", "EDTA blood", "primary", "BLD", "PED", true, 4000, "#6f42c1"),
        ("SERUM", "Serum tube", "primary", "BLD", "SST", true, 5000, "#fd7e14"),
        ("PAXGENE", "PAXgene RNA blood", "primary", "BLD", "PAX", false, 2500, "#20c997"),
        ("SALIVA", "Saliva", "primary", "SAL", "ORG", true, 2000, "#0dcaf0"),
        ("PLASMA", "Plasma", "aliquot", "PL2", "PED", true, 250, "#d63384"),
        ("BUFFY", "Buffy coat", "aliquot", "BFF", "PED", true, 500, "#ffc107"),
        ("SER", "Serum", "aliquot", "SER", "SST", true, 250, "#fd7e14"),
        ("RNA", "PAXgene blood (RNA)", "aliquot", "BLD", "PAX", false, 600, "#198754"),
        ("SALSUP", "Saliva supernatant", "aliquot", "SAL", "ORG", true, 250, "#0d6efd"),
    ];

    public static readonly (string Primary, string Aliquot, int Count, decimal Volume)[] Plans =
    [
        ("EDTA", "PLASMA", 8, 250), ("EDTA", "BUFFY", 2, 500),
        ("SERUM", "SER", 10, 250),
        ("PAXGENE", "RNA", 4, 600),
        ("SALIVA", "SALSUP", 10, 200),
    ];

    // Two EDTA and two serum tubes per visit: with the plans above a visit gives 54 aliquots,
    // so 2,300 patients make about half a million.
    private static readonly string[] VisitTubes = ["EDTA", "EDTA", "SERUM", "SERUM", "PAXGENE", "SALIVA"];

    public async Task SeedAsync(DemoContext context, CancellationToken ct)
    {
        var ctx = context;
        var c = ctx.Connection;
        var tx = ctx.Transaction;
        var timepoints = new Dictionary<string, long>();
        foreach (var t in Timepoints)
        {
            timepoints[t.Code] = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "INSERT INTO study_timepoint (code, name, sort_order, description) VALUES (@Code, @Name, @Order, @Description) RETURNING id",
                new { t.Code, t.Name, t.Order, t.Description }, tx, cancellationToken: ct));
        }
        var types = new Dictionary<string, long>();
        foreach (var t in Types)
        {
            types[t.Code] = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "INSERT INTO sample_type (code, name, kind, sprec_type, sprec_container, centrifuged, default_volume_ul, colour) VALUES (@Code, @Name, @Kind, @Type, @Container, @Spun, @Volume, @Colour) RETURNING id",
                new { t.Code, t.Name, t.Kind, t.Type, t.Container, t.Spun, t.Volume, t.Colour }, tx, cancellationToken: ct));
        }
        foreach (var p in Plans)
        {
            await c.ExecuteAsync(new CommandDefinition("INSERT INTO aliquot_plan (primary_type_id, aliquot_type_id, count, volume_ul) VALUES (@P, @A, @Count, @Volume)",
                new { P = types[p.Primary], A = types[p.Aliquot], p.Count, p.Volume }, tx, cancellationToken: ct));
        }
        ctx.Counts["study_timepoint"] = Timepoints.Length;
        ctx.Counts["sample_type"] = Types.Length;
        ctx.Counts["aliquot_plan"] = Plans.Length;

        var rnd = ctx.Random;
        var collectionSites = DemoSeeder.Sites.Where(s => s.Kind == SiteKinds.Collection).Select(s => s.Code).ToArray();
        var storage = new Dictionary<string, BoxFiller>();
        foreach (var site in DemoSeeder.Sites.Where(s => s.Kind != SiteKinds.AssayLab))
        {
            storage[site.Code] = await BoxFiller.CreateAsync(ctx, site.Code, site.BarcodePrefix, ct);
        }
        var sequences = new Dictionary<(long Site, string Kind), long>();
        string Next(string siteCode, string prefix, BarcodeKind kind)
        {
            var key = (ctx.SiteIds[siteCode], Barcodes.KindName(kind));
            var n = sequences.GetValueOrDefault(key) + 1;
            sequences[key] = n;
            return Barcodes.Format(prefix, kind, n);
        }

        using var insertPatient = new BulkCommand(c, tx, """
            INSERT INTO patient (pseudonym, site_id, sex, age_at_rt_years, consent_status, consent_date, withdrawn_utc, created_utc, updated_utc)
            VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p7) RETURNING id
            """, "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7");
        using var insertCollection = new BulkCommand(c, tx, """
            INSERT INTO collection (patient_id, timepoint_id, site_id, collected_utc, collected_by, notes, created_utc, created_by)
            VALUES (@p0, @p1, @p2, @p3, @p4, NULL, @p3, @p4) RETURNING id
            """, "p0", "p1", "p2", "p3", "p4");
        using var insertBarcode = new BulkCommand(c, tx, "INSERT INTO barcode (code, kind, external, site_id, created_utc) VALUES (@p0, @p1, @p2, @p3, @p4)", "p0", "p1", "p2", "p3", "p4");
        using var insertTube = new BulkCommand(c, tx, """
            INSERT INTO tube (barcode, kind, parent_id, collection_id, patient_id, sample_type_id, site_id, status, volume_ul, remaining_ul, freeze_thaw_count,
                              box_id, pos_row, pos_col, collected_utc, processing_start_utc, pre_centrifuge_temp, centrifuge_temp_c, centrifuge_g, centrifuge_minutes,
                              centrifuge_braking, frozen_utc, storage_temp_c, sprec, created_utc, updated_utc)
            VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, 0, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17, @p18, @p19, @p20, @p21, @p22, @p23, @p23)
            RETURNING id
            """, Enumerable.Range(0, 24).Select(i => $"p{i}").ToArray());
        using var insertEvent = new BulkCommand(c, tx, """
            INSERT INTO custody_event (tube_id, event, occurred_utc, user_name, site_id, from_box_id, from_row, from_col, to_box_id, to_row, to_col, status_after, details)
            VALUES (@p0, @p1, @p2, @p3, @p4, NULL, NULL, NULL, @p5, @p6, @p7, @p8, @p9)
            """, "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9");

        var patients = ctx.Options.Patients;
        var start = ctx.Now.AddYears(-4);
        long tubes = 0, events = 0, collections = 0;
        for (var i = 0; i < patients; i++)
        {
            var siteCode = collectionSites[i % collectionSites.Length];
            var site = DemoSeeder.Sites.First(s => s.Code == siteCode);
            var siteId = ctx.SiteIds[siteCode];
            var pseudonym = $"{siteCode}-{i / collectionSites.Length + 1:D4}";
            var withdrawn = i % 37 == 11;
            var rtStart = start.AddDays(rnd.Next(0, 1400)).Date.AddHours(8);
            var patientId = await insertPatient.ScalarAsync(ct, pseudonym, siteId, rnd.Next(2) == 0 ? "F" : "M", Math.Round((decimal)(rnd.NextDouble() * 17.5 + 0.5), 1),
                withdrawn ? "withdrawn" : "given", rtStart.AddDays(-14).ToString("yyyy-MM-dd"), withdrawn ? ctx.Now.AddDays(-20) : null, ctx.Now);
            var technician = $"tech.{siteCode.ToLowerInvariant()}";
            var visits = rnd.Next(4) == 0 ? 3 : 4;
            for (var v = 0; v < visits; v++)
            {
                var tp = Timepoints[v];
                var collected = v switch
                {
                    0 => rtStart.AddDays(-rnd.Next(1, 6)),
                    1 => rtStart.AddDays(42 + rnd.Next(0, 7)),
                    2 => rtStart.AddDays(42 + 91 + rnd.Next(-7, 8)),
                    _ => rtStart.AddDays(42 + 365 + rnd.Next(-14, 15)),
                };
                if (collected > ctx.Now.AddDays(-1))
                {
                    break;
                }
                collected = collected.AddMinutes(rnd.Next(0, 240));
                var collectionId = await insertCollection.ScalarAsync(ct, patientId, timepoints[tp.Code], siteId, collected, technician);
                collections++;
                // The newest visits wait at the bench, unstored: the technicians' home page shows them.
                var stored = collected < ctx.Now.AddDays(-10);
                var filler = storage[siteCode];
                foreach (var primaryCode in VisitTubes)
                {
                    var primary = Types.First(t => t.Code == primaryCode);
                    var spinStart = collected.AddMinutes(rnd.Next(20, 150));
                    var minutes = 15;
                    var frozen = primary.Spun ? spinStart.AddMinutes(minutes + rnd.Next(10, 50)) : collected.AddMinutes(rnd.Next(30, 180));
                    var temp = rnd.Next(10) == 0 ? "2-10" : "RT";
                    decimal? spinTemp = primary.Spun ? (rnd.Next(3) == 0 ? 4m : 20m) : null;
                    int? force = primary.Spun ? (primaryCode == "SALIVA" ? 2600 : 2000) : null;
                    var sprecInput = new SprecInput(primary.Type, primary.Container, primary.Spun, collected, primary.Spun ? spinStart : null, temp, spinTemp, force,
                        primary.Spun ? minutes : null, primary.Spun ? true : null, primaryCode == "EDTA" ? 2500 : null, frozen, -80m);
                    var primaryBarcode = Next(siteCode, site.BarcodePrefix, BarcodeKind.Sample);
                    await insertBarcode.ExecuteAsync(ct, primaryBarcode, "sample", false, siteId, collected);
                    var aliquotPlans = Plans.Where(p => p.Primary == primaryCode).ToArray();
                    var used = aliquotPlans.Sum(p => p.Count * p.Volume);
                    var primaryId = await insertTube.ScalarAsync(ct, primaryBarcode, "primary", null, collectionId, patientId, types[primaryCode], siteId,
                        stored ? "consumed" : "registered", primary.Volume, stored ? 0m : primary.Volume, null, null, null, collected,
                        primary.Spun ? spinStart : null, temp, spinTemp, force, primary.Spun ? minutes : null, primary.Spun ? true : null, frozen, -80m,
                        Sprec.Derive(sprecInput), collected);
                    await insertEvent.ExecuteAsync(ct, primaryId, CustodyEvents.Created, collected, technician, siteId, null, null, null, "registered", "demo");
                    tubes++;
                    events++;
                    if (!stored)
                    {
                        continue;
                    }
                    await insertEvent.ExecuteAsync(ct, primaryId, CustodyEvents.Consumed, frozen, technician, siteId, null, null, null, "consumed", $"{used:0} µL aliquoted");
                    events++;
                    foreach (var plan in aliquotPlans)
                    {
                        var aliquotType = Types.First(t => t.Code == plan.Aliquot);
                        for (var k = 0; k < plan.Count; k++)
                        {
                            var code = Next(siteCode, site.BarcodePrefix, BarcodeKind.Aliquot);
                            await insertBarcode.ExecuteAsync(ct, code, "aliquot", false, siteId, frozen);
                            var (boxId, row, col) = await filler.NextAsync(ct);
                            var id = await insertTube.ScalarAsync(ct, code, "aliquot", primaryId, collectionId, patientId, types[plan.Aliquot], siteId,
                                "in_storage", plan.Volume, plan.Volume, boxId, row, col, collected, null, null, null, null, null, null, null, null,
                                Sprec.Derive(sprecInput with { SampleType = aliquotType.Type }), frozen);
                            await insertEvent.ExecuteAsync(ct, id, CustodyEvents.Created, frozen, technician, siteId, null, null, null, "registered", $"aliquoted from {primaryBarcode}");
                            await insertEvent.ExecuteAsync(ct, id, CustodyEvents.Stored, frozen.AddMinutes(5), technician, siteId, boxId, row, col, "in_storage", "demo");
                            tubes++;
                            events += 2;
                        }
                    }
                }
            }
        }
        foreach (var ((siteId, kind), n) in sequences)
        {
            await c.ExecuteAsync(new CommandDefinition("INSERT INTO barcode_sequence (site_id, kind, next_value) VALUES (@SiteId, @Kind, @Next)",
                new { SiteId = siteId, Kind = kind, Next = n + 1 }, tx, cancellationToken: ct));
        }
        foreach (var f in storage.Values)
        {
            await f.FinishAsync(ct);
        }
        ctx.Counts["patient"] = patients;
        ctx.Counts["collection"] = collections;
        ctx.Counts["tube"] = tubes;
        ctx.Counts["custody_event"] = events;
        ctx.Counts["box"] = storage.Values.Sum(s => s.Boxes);
        ctx.Counts["freezer"] = storage.Values.Sum(s => s.Freezers);
        ctx.Counts["rack"] = storage.Values.Sum(s => s.Racks);
    }

    /// <summary>Hands out box positions at one site, opening a new 10 × 10 box in the next rack slot when one is full.</summary>
    private sealed class BoxFiller
    {
        private readonly DemoContext _ctx;
        private readonly string _site;
        private readonly string _prefix;
        private readonly List<long> _racks = [];
        private long _box;
        private int _used = 100;
        private long _boxNumber;

        private BoxFiller(DemoContext ctx, string site, string prefix)
        {
            _ctx = ctx;
            _site = site;
            _prefix = prefix;
        }

        public int Boxes { get; private set; }

        public int Freezers { get; private set; }

        public int Racks => _racks.Count;

        public static async Task<BoxFiller> CreateAsync(DemoContext ctx, string site, string prefix, CancellationToken ct)
        {
            var filler = new BoxFiller(ctx, site, prefix);
            var siteId = ctx.SiteIds[site];
            for (var f = 1; f <= 2; f++)
            {
                var freezerId = await ctx.Connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "INSERT INTO freezer (site_id, name, temperature_c, description) VALUES (@SiteId, @Name, -80, @Description) RETURNING id",
                    new { SiteId = siteId, Name = $"{site} −80 °C freezer {f}", Description = f == 1 ? "Upright, lab 2" : "Chest, basement" }, ctx.Transaction, cancellationToken: ct));
                filler.Freezers++;
                for (var r = 1; r <= 5; r++)
                {
                    filler._racks.Add(await ctx.Connection.ExecuteScalarAsync<long>(new CommandDefinition(
                        "INSERT INTO rack (freezer_id, name) VALUES (@FreezerId, @Name) RETURNING id", new { FreezerId = freezerId, Name = $"Rack {(char)('A' + r - 1)}" }, ctx.Transaction, cancellationToken: ct)));
                }
            }
            // One empty box ready at the bench for the scanning station.
            await filler.OpenBoxAsync("Bench box (empty)", ct);
            filler._used = 100;
            return filler;
        }

        public async Task<(long Box, int Row, int Col)> NextAsync(CancellationToken ct)
        {
            if (_used == 100)
            {
                await OpenBoxAsync(null, ct);
            }
            var position = _used++;
            return (_box, position / 10 + 1, position % 10 + 1);
        }

        private async Task OpenBoxAsync(string? name, CancellationToken ct)
        {
            _boxNumber++;
            var siteId = _ctx.SiteIds[_site];
            var code = Barcodes.Format(_prefix, BarcodeKind.Box, _boxNumber);
            await _ctx.Connection.ExecuteAsync(new CommandDefinition("INSERT INTO barcode (code, kind, external, site_id, created_utc) VALUES (@Code, 'box', FALSE, @SiteId, @Now)",
                new { Code = code, SiteId = siteId, _ctx.Now }, _ctx.Transaction, cancellationToken: ct));
            var rack = _racks[(int)((_boxNumber - 1) / 20 % _racks.Count)];
            _box = await _ctx.Connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "INSERT INTO box (barcode, site_id, rack_id, name, rows, cols, status, created_utc) VALUES (@Code, @SiteId, @Rack, @Name, 10, 10, 'active', @Now) RETURNING id",
                new { Code = code, SiteId = siteId, Rack = rack, Name = name ?? $"{_site} box {_boxNumber:D4}", _ctx.Now }, _ctx.Transaction, cancellationToken: ct));
            _used = 0;
            Boxes++;
        }

        public async Task FinishAsync(CancellationToken ct) =>
            await _ctx.Connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO barcode_sequence (site_id, kind, next_value) VALUES (@SiteId, 'box', @Next)",
                new { SiteId = _ctx.SiteIds[_site], Next = _boxNumber + 1 }, _ctx.Transaction, cancellationToken: ct));
    }
}
