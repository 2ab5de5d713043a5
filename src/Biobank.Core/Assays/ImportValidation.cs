using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Biobank.Core.Assays.Formats;
using Biobank.Core.Common;
using Biobank.Core.Samples;

namespace Biobank.Core.Assays;

public sealed partial class ImportAssay
{
    /// <summary>An aliquot seen in the file: its database row, and one bit per analyte for the duplicate check.</summary>
    internal sealed class TubeSlot(long id, string barcode, string sampleType, int firstRow)
    {
        public long Id => id;
        public long PatientId { get; init; }
        public long TimepointId { get; init; }
        public string Barcode => barcode;
        public string SampleType => sampleType;
        public int FirstRow => firstRow;
        public string? Plate { get; set; }
        public bool AlreadyInRun { get; set; }
        public ulong[] Seen = [];
        public ulong[] Stored = [];
        public double RefSum;
        public ulong RefSeen;
    }

    internal sealed class AnalyteSlot(string code, long? id)
    {
        public string Code => code;
        public long? Id => id;
        public string? Name { get; init; }
        public string? Panel { get; init; }
        public string? PanelVersion { get; init; }
        public string? Unit { get; init; }
        public bool Used { get; set; }
    }

    /// <summary>Technical replicates averaged into one result: kept beside it (count, amplified, SD, wells).</summary>
    internal readonly record struct ReplicateStat(int Tube, int Analyte, int Replicates, int Detected, double Sd, string? Wells);

    /// <summary>
    /// The validating pass: reads every row through the file's format, lists every problem, spools what the write
    /// will need. Everything that is the same for every format is here: dangerous text, numbers, aliquot and analyte
    /// look-ups, controls, duplicates, ΔCt references.
    /// </summary>
    internal sealed class Validation : IDisposable, IAssayRowSink
    {
        private readonly ImportAssayCommand _cmd;
        private readonly IAssayFormat _format;
        private readonly ImportContext _context;
        private readonly ImportProblems _problems;
        private readonly Spool _spool;
        private readonly DbConnection _lookup;
        private readonly Caller _caller;
        private readonly IProgress<ImportProgress>? _progress;
        private readonly long _bytes;
        private readonly Regex _controls;
        private readonly Dictionary<string, AnalyteView> _catalogue = new(StringComparer.Ordinal);
        private readonly Dictionary<long, string> _codeById = [];
        private readonly Dictionary<string, AnalyteView> _catalogueFolded = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, List<AnalyteView>> _byName = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, int> _analyteByCode = new(StringComparer.Ordinal);
        private readonly Dictionary<long, int> _analyteById = [];
        private readonly Dictionary<string, string> _badAnalytes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _tubeByCode = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _badTubes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _controlByKey = new(StringComparer.Ordinal);
        private readonly string[] _references;
        private DbCommand? _tubeQuery;
        private DbCommand? _storedQuery;
        private DbCommand? _inRunQuery;

        public Validation(ImportAssayCommand cmd, IAssayFormat format, ImportContext context, ImportProblems problems, Spool spool, DbConnection lookup, Caller caller,
            IProgress<ImportProgress>? progress, long bytes, double maxReplicateSd)
        {
            _cmd = cmd;
            _format = format;
            _context = context;
            _problems = problems;
            _spool = spool;
            _lookup = lookup;
            _caller = caller;
            _progress = progress;
            _bytes = bytes;
            MaxReplicateSd = maxReplicateSd;
            _controls = new Regex(cmd.ControlPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            foreach (var a in context.Analytes)
            {
                _catalogue[a.Code] = a;
                _codeById[a.Id] = a.Code;
                _catalogueFolded.TryAdd(a.Code, a);
                if (a.Uniprot is { Length: > 0 } u && u != a.Code)
                {
                    _catalogueFolded.TryAdd(u, a);
                }
                if (!_byName.TryGetValue(a.Name, out var list))
                {
                    _byName[a.Name] = list = [];
                }
                list.Add(a);
            }
            _references = format.CarriesCt ? cmd.References.Select(r => r.Trim()).Where(r => r.Length > 0).Distinct(StringComparer.Ordinal).ToArray() : [];
        }

        public List<TubeSlot> Tubes { get; } = [];
        public List<AnalyteSlot> Analytes { get; } = [];
        public List<int> NewAnalytes { get; } = [];
        public List<(string Sample, string? Plate)> ControlSamples { get; } = [];
        public List<ReplicateStat> Replicates { get; } = [];
        public long RowsRead { get; private set; }
        public long RowsValidated { get; private set; }
        public long Results { get; private set; }
        public long Controls { get; private set; }
        public int AnalytesUsed => Analytes.Count(a => a.Used);

        /// <summary>The header as the format read it (null until then, or when it was refused).</summary>
        public AssayRowMapper? Mapper { get; private set; }

        public bool DecimalComma { get; private set; }

        public double MaxReplicateSd { get; }

        public async Task RunAsync(AssayTable table, CancellationToken ct)
        {
            if (_references.Length > 64)
            {
                _problems.Add(0, "references", "", "at most 64 reference miRNAs");
                return;
            }
            foreach (var reference in _references)
            {
                if (!_catalogue.ContainsKey(reference) && !(_cmd.AddAnalytes && AnalyteCodes.IsMirna(reference)))
                {
                    _problems.Add(0, "references", reference, "this reference miRNA is not in the catalogue" + Hint(reference));
                }
            }
            var mapper = await _format.ReadHeaderAsync(table, this, ct);
            if (mapper is null)
            {
                return;
            }
            Mapper = mapper;
            var header = mapper.Header;
            var delimiter = table.Delimiter;
            DecimalComma = delimiter == ';';
            // A spreadsheet or Parquet row has no "truncated line": missing trailing cells are empty.
            var padded = table.Kind != FileKind.Text;
            while (await table.ReadAsync(ct))
            {
                var fields = table.Fields;
                if (mapper.EndsTable(fields))
                {
                    break;
                }
                if (IsBlank(fields))
                {
                    continue;
                }
                RowsRead++;
                var row = table.Line;
                if (padded && fields.Length < header.Length)
                {
                    var wider = new string[header.Length];
                    Array.Fill(wider, "");
                    fields.CopyTo(wider, 0);
                    fields = wider;
                }
                if (fields.Length != header.Length)
                {
                    _problems.Add(row, "line", Show(string.Join(padded ? ',' : delimiter, fields)), fields.Length < header.Length
                        ? $"{fields.Length} fields where the header has {header.Length}: a truncated line, or a missing value?"
                        : $"{fields.Length} fields where the header has {header.Length}: an unquoted delimiter inside a value (a decimal comma in a comma-separated file?)");
                }
                else if (Clean(row, header, fields) && await mapper.MapAsync(row, fields, this, ct))
                {
                    RowsValidated++;
                }
                if (RowsRead % ReportEvery == 0)
                {
                    ct.ThrowIfCancellationRequested();
                    _progress?.Report(new ImportProgress(ImportPhase.Validating, _bytes, table.BytesRead, RowsRead, RowsValidated, 0, 0));
                }
            }
            if (RowsRead == 0)
            {
                _problems.Add(2, "file", "", "the file has a header but no data rows");
                return;
            }
            await mapper.FinishAsync(this, ct);
            _progress?.Report(new ImportProgress(ImportPhase.Validating, _bytes, _bytes, RowsRead, RowsValidated, 0, 0));
        }

        /// <summary>Checks that need the whole file: every sample of a ΔCt import has its reference miRNAs.</summary>
        public void Finish()
        {
            _spool.EndWriting();
            if (_references.Length == 0)
            {
                return;
            }
            var all = _references.Length == 64 ? ulong.MaxValue : (1UL << _references.Length) - 1;
            foreach (var tube in Tubes)
            {
                if (tube.RefSeen != all)
                {
                    var missing = _references.Where((_, i) => (tube.RefSeen & (1UL << i)) == 0);
                    _problems.Add(tube.FirstRow, "SampleID", tube.Barcode, $"no Ct for the reference miRNA(s) {string.Join(", ", missing)} in this sample: its ΔCt cannot be computed");
                }
            }
        }

        public void Dispose()
        {
            _tubeQuery?.Dispose();
            _storedQuery?.Dispose();
            _inRunQuery?.Dispose();
        }

        public double[]? ReferenceMeans() =>
            _references.Length == 0 ? null : Tubes.Select(t => t.RefSum / _references.Length).ToArray();

        private static bool IsBlank(string[] fields)
        {
            foreach (var f in fields)
            {
                if (f.Length > 0)
                {
                    return false;
                }
            }
            return true;
        }

        private bool Clean(int row, string[] header, string[] fields)
        {
            var ok = true;
            for (var i = 0; i < fields.Length; i++)
            {
                if (AssayText.Refuse(fields[i]) is { } why)
                {
                    _problems.Add(row, header[i], Show(fields[i]), why);
                    ok = false;
                }
            }
            return ok;
        }

        private static string Show(string s) => AssayText.Show(s);

        // ---- what a format may ask for (IAssayRowSink) ------------------------------------------------------

        public void Problem(int row, string column, string value, string reason) => _problems.Add(row, column, Show(value), reason);

        public bool Number(int row, string column, string text, out double value)
        {
            if (AssayText.IsMissing(text))
            {
                value = double.NaN;
                return true;
            }
            if (AssayText.TryNumber(text, DecimalComma, out value, out var why))
            {
                return true;
            }
            _problems.Add(row, column, Show(text), why!);
            value = double.NaN;
            return false;
        }

        private static readonly Dictionary<string, bool> QcFlags = new(StringComparer.OrdinalIgnoreCase)
        {
            [""] = false, ["PASS"] = false, ["PASSED"] = false, ["OK"] = false, ["NA"] = false, ["0"] = false, ["FALSE"] = false, ["NO"] = false,
            ["WARN"] = true, ["WARNING"] = true, ["FAIL"] = true, ["FAILED"] = true, ["1"] = true, ["TRUE"] = true, ["YES"] = true,
        };

        public bool Qc(int row, string column, string text, out bool warning)
        {
            if (QcFlags.TryGetValue(text, out warning))
            {
                return true;
            }
            _problems.Add(row, column, Show(text), "not a QC flag: Pass or Warning");
            return false;
        }

        public int Analyte(int row, string column, string code, string? name = null, string? panel = null, string? version = null, string? unit = null, bool byName = false) =>
            ResolveAnalyte(row, column, code, name, panel, version, unit, byName);

        public string AnalyteCode(int analyte) => Analytes[analyte].Code;

        public string? ExpectedUnit(int analyte)
        {
            var slot = Analytes[analyte];
            var platform = _context.Platform;
            if (platform.ValueKind != ValueKinds.Concentration)
            {
                return platform.DefaultUnit;
            }
            return slot.Id is null ? null : _context.Analytes.First(a => a.Id == slot.Id).Unit ?? platform.DefaultUnit;
        }

        public ValueTask<int> TubeAsync(int row, string column, string sampleId, CancellationToken ct) => ResolveTubeAsync(row, column, sampleId, ct);

        public ValueTask<bool> AcceptAsync(AssayRecord record, CancellationToken ct) => AcceptAsync(record, true, ct);

        /// <summary>
        /// Stores a result, or — for a row that already had a problem (<paramref name="rowOk"/> false) — only looks the
        /// sample up, so an unknown aliquot is listed too.
        /// </summary>
        public ValueTask<bool> AcceptAsync(AssayRecord r, bool rowOk, CancellationToken ct)
        {
            // The hot path of a large file — an aliquot already looked up — stays synchronous: no state machine, no copy of the record.
            if (r.Role != SampleRole.Control && r.SampleId.Length > 0 && _tubeByCode.TryGetValue(r.SampleId, out var known))
            {
                return ValueTask.FromResult(rowOk && known >= 0 && AcceptTube(in r, known));
            }
            return AcceptNewAsync(r, rowOk, ct);
        }

        private async ValueTask<bool> AcceptNewAsync(AssayRecord r, bool rowOk, CancellationToken ct)
        {
            var sampleId = r.SampleId;
            if (sampleId.Length == 0)
            {
                return false;
            }
            if (r.Role == SampleRole.Control || IsControl(sampleId))
            {
                if (!rowOk)
                {
                    return false;
                }
                var flags = (byte)(r.QcWarning ? Spool.QcWarning : 0);
                Spooled(Spool.Control, ControlIndex(sampleId, r.Plate), r.Analyte, r.Value, r.Lod, r.Ct, flags);
                Controls++;
                return true;
            }
            var tube = await ResolveTubeAsync(r.Row, r.SampleColumn, sampleId, ct);
            return rowOk && tube >= 0 && AcceptTube(in r, tube);
        }

        public bool AcceptTube(in AssayRecord r, int tube)
        {
            var slot = Tubes[tube];
            var analyte = r.Analyte;
            if (IsSet(slot.Stored, analyte))
            {
                _problems.AddOnce($"stored:{tube}", r.Row, r.SampleColumn, Show(r.SampleId),
                    $"aliquot {slot.Barcode} already has results in run {_cmd.RunCode} for analytes of this file (e.g. {Analytes[analyte].Code})");
                return false;
            }
            if (_format.CarriesCt && Array.IndexOf(_references, Analytes[analyte].Code) is var reference and >= 0)
            {
                if (double.IsNaN(r.Ct))
                {
                    _problems.Add(r.Row, r.ValueColumn, "", $"the reference miRNA {Analytes[analyte].Code} has no Ct in this sample: its ΔCt cannot be computed");
                    return false;
                }
                if ((slot.RefSeen & (1UL << reference)) == 0)
                {
                    slot.RefSeen |= 1UL << reference;
                    slot.RefSum += r.Ct;
                }
            }
            if (!Mark(ref slot.Seen, analyte))
            {
                _problems.Add(r.Row, r.SampleColumn, Show(r.SampleId), $"a second value for aliquot {slot.Barcode} and analyte {Analytes[analyte].Code} in this file");
                return false;
            }
            slot.Plate ??= r.Plate;
            var flags = (byte)((r.QcWarning ? Spool.QcWarning : 0) | (BelowLod(r) ? Spool.BelowLod : 0));
            Spooled(Spool.Result, tube, analyte, r.Value, r.Lod, r.Ct, flags);
            if (r.Replicates > 0)
            {
                Replicates.Add(new ReplicateStat(tube, analyte, r.Replicates, r.Detected, r.Sd, r.Wells));
            }
            Results++;
            return true;
        }

        /// <summary>Below the limit of detection: an NPX under its LOD, or a Ct that did not come up.</summary>
        private bool BelowLod(in AssayRecord r) =>
            _format.CarriesCt ? double.IsNaN(r.Ct) : !double.IsNaN(r.Lod) && !double.IsNaN(r.Value) && r.Value < r.Lod;

        private void Spooled(byte kind, int index, int analyte, double value, double lod, double raw, byte flags)
        {
            Analytes[analyte].Used = true;
            _spool.Write(kind, index, analyte, value, lod, raw, flags);
        }

        /// <summary>
        /// A plate control by its sample ID — unless the ID is one of our own valid aliquot barcodes, so a site whose
        /// prefix happens to start like a control (PC…, NC…) never has its aliquots taken for controls.
        /// </summary>
        public bool IsControl(string sampleId) =>
            _controls.IsMatch(sampleId) && Barcodes.Check(Barcodes.Normalize(sampleId).ToUpperInvariant()) != BarcodeCheck.Valid;


        private int ControlIndex(string sampleId, string? plate)
        {
            var key = sampleId + "\u0001" + plate;
            if (!_controlByKey.TryGetValue(key, out var index))
            {
                index = ControlSamples.Count;
                ControlSamples.Add((sampleId, plate));
                _controlByKey[key] = index;
            }
            return index;
        }

        private static bool IsSet(ulong[] bits, int i) => i >> 6 < bits.Length && (bits[i >> 6] & (1UL << (i & 63))) != 0;

        private static bool Mark(ref ulong[] bits, int i)
        {
            var word = i >> 6;
            if (word >= bits.Length)
            {
                Array.Resize(ref bits, Math.Max(word + 1, bits.Length * 2));
            }
            var mask = 1UL << (i & 63);
            if ((bits[word] & mask) != 0)
            {
                return false;
            }
            bits[word] |= mask;
            return true;
        }

        private string Hint(string code) =>
            _catalogueFolded.TryGetValue(code, out var near) && near.Code != code ? $"; did you mean {near.Code}?" : "";

        /// <summary>The local index of an analyte (known, or new with AddAnalytes), or −1 after listing the problem.</summary>
        private int ResolveAnalyte(int row, string column, string code, string? name, string? panel, string? version, string? unit, bool byName = false)
        {
            if (_analyteByCode.TryGetValue(code, out var local))
            {
                return local;
            }
            if (_badAnalytes.TryGetValue(code, out var reason))
            {
                _problems.AddOnce("analyte:" + code, row, column, Show(code), reason);
                return -1;
            }
            if (code.Length == 0)
            {
                _problems.Add(row, column, "", "no analyte identifier");
                return -1;
            }
            AnalyteView? known = _catalogue.GetValueOrDefault(code);
            if (known is null && byName)
            {
                known = _catalogueFolded.GetValueOrDefault(code);
                if (known is null && _byName.TryGetValue(code, out var named))
                {
                    if (named.Count == 1)
                    {
                        known = named[0];
                    }
                    else
                    {
                        reason = $"the name {code} fits several analytes ({string.Join(", ", named.Select(n => n.Code))}): head the column with the identifier";
                    }
                }
            }
            if (known is not null)
            {
                local = AnalyteLocal(known.Id, known.Code);
                _analyteByCode[code] = local;
                return local;
            }
            if (reason is null && _cmd.AddAnalytes)
            {
                var kind = AnalyteCodes.KindOf(code);
                var expected = _format.ValueKind switch { ValueKinds.Ct or ValueKinds.Counts => "mirna", ValueKinds.Npx => "protein", _ => null };
                if (kind is not null && (expected is null || kind == expected))
                {
                    local = Analytes.Count;
                    Analytes.Add(new AnalyteSlot(code, null)
                    {
                        Name = string.IsNullOrWhiteSpace(name) ? code : name.Trim(),
                        Panel = string.IsNullOrWhiteSpace(panel) ? null : panel.Trim(),
                        PanelVersion = string.IsNullOrWhiteSpace(version) ? null : version.Trim(),
                        Unit = unit,
                    });
                    NewAnalytes.Add(local);
                    _analyteByCode[code] = local;
                    return local;
                }
                reason = expected == "mirna"
                    ? "not a miRBase mature name (e.g. hsa-miR-21-5p): it cannot be added to the catalogue"
                    : "not a UniProt accession (e.g. P05231): it cannot be added to the catalogue";
            }
            reason ??= $"unknown analyte {code}{(name is { Length: > 0 } ? $" ({name})" : "")}: add it to the catalogue, or import with --add-analytes{Hint(code)}";
            _badAnalytes[code] = reason;
            _problems.AddOnce("analyte:" + code, row, column, Show(code), reason);
            return -1;
        }

        private int AnalyteLocal(long id, string code)
        {
            if (!_analyteById.TryGetValue(id, out var local))
            {
                local = Analytes.Count;
                Analytes.Add(new AnalyteSlot(code, id));
                _analyteById[id] = local;
            }
            return local;
        }

        /// <summary>The local index of an aliquot, or −1 after listing the problem (once per barcode, with its row count).</summary>
        private ValueTask<int> ResolveTubeAsync(int row, string column, string raw, CancellationToken ct) =>
            _tubeByCode.TryGetValue(raw, out var local) ? ValueTask.FromResult(local) : new ValueTask<int>(LookUpTubeAsync(row, column, raw, ct));

        private async Task<int> LookUpTubeAsync(int row, string column, string raw, CancellationToken ct)
        {
            var code = Barcodes.Normalize(raw);
            if (_tubeByCode.TryGetValue(code, out var local))
            {
                _tubeByCode[raw] = local;
                return local;
            }
            if (_badTubes.TryGetValue(code, out var reason))
            {
                _problems.AddOnce("tube:" + code, row, column, Show(raw), reason);
                return -1;
            }
            var check = Barcodes.Check(code);
            if (check is BarcodeCheck.Malformed or BarcodeCheck.WrongCheckCharacter)
            {
                reason = check == BarcodeCheck.WrongCheckCharacter
                    ? "a wrong check character: the barcode was mistyped"
                    : "not an aliquot barcode (4–40 letters, digits, . _ / + -) and not a plate control";
            }
            else
            {
                var canonical = Barcodes.Canonical(code);
                var tube = await FindTubeAsync(canonical, ct);
                if (tube is null)
                {
                    reason = _caller.AllSites ? "no aliquot has this barcode" : "no aliquot of your site has this barcode";
                }
                else if (tube.Value.Kind != "aliquot")
                {
                    reason = "a primary tube, not an aliquot: results belong to the aliquot that was measured";
                }
                else if (tube.Value.Consent == "withdrawn")
                {
                    reason = $"the patient ({tube.Value.Pseudonym}) withdrew consent: no results may be stored for this aliquot";
                }
                else
                {
                    local = Tubes.Count;
                    var slot = new TubeSlot(tube.Value.Id, canonical, tube.Value.SampleType, row) { PatientId = tube.Value.PatientId, TimepointId = tube.Value.TimepointId };
                    Tubes.Add(slot);
                    _tubeByCode[code] = local;
                    _tubeByCode[raw] = local;
                    if (_context.Run is { } run)
                    {
                        await LoadStoredAsync(run.Id, slot, ct);
                    }
                    return local;
                }
            }
            _badTubes[code] = reason;
            _problems.AddOnce("tube:" + code, row, column, Show(raw), reason);
            return -1;
        }

        private async Task<(long Id, string Kind, string Consent, string Pseudonym, string SampleType, long PatientId, long TimepointId)?> FindTubeAsync(string barcode, CancellationToken ct)
        {
            if (_tubeQuery is null)
            {
                _tubeQuery = _lookup.CreateCommand();
                _tubeQuery.CommandText = SelectTube;
                Add(_tubeQuery, "Barcode", "");
                Add(_tubeQuery, "AllSites", _caller.AllSites);
                Add(_tubeQuery, "ScopeSiteId", _caller.SiteId ?? -1L);
                _tubeQuery.Prepare();
            }
            _tubeQuery.Parameters[0].Value = barcode;
            await using var r = await _tubeQuery.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct))
            {
                return null;
            }
            return (r.GetInt64(0), r.GetString(1), r.GetString(5), r.GetString(6), r.GetString(7), r.GetInt64(8), r.GetInt64(9));
        }

        private async Task LoadStoredAsync(long runId, TubeSlot slot, CancellationToken ct)
        {
            if (_storedQuery is null)
            {
                _storedQuery = _lookup.CreateCommand();
                _storedQuery.CommandText = SelectStored;
                Add(_storedQuery, "RunId", runId);
                Add(_storedQuery, "TubeId", 0L);
                _inRunQuery = _lookup.CreateCommand();
                _inRunQuery.CommandText = SelectInRun;
                Add(_inRunQuery, "RunId", runId);
                Add(_inRunQuery, "TubeId", 0L);
            }
            _storedQuery.Parameters[1].Value = slot.Id;
            await using (var r = await _storedQuery.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct))
                {
                    var analyteId = r.GetInt64(0);
                    Mark(ref slot.Stored, AnalyteLocal(analyteId, _codeById.GetValueOrDefault(analyteId) ?? analyteId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
            _inRunQuery!.Parameters[1].Value = slot.Id;
            slot.AlreadyInRun = Convert.ToInt64(await _inRunQuery.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) > 0;
        }

        private static void Add(DbCommand cmd, string name, object value)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            cmd.Parameters.Add(p);
        }
    }


    /// <summary>
    /// The parsed rows between the two passes, in a temporary file deleted on close: 34 bytes a row, read back in order.
    /// NaN stands for NULL (a real NaN in the file is refused before it gets here).
    /// </summary>
    internal sealed class Spool : IDisposable
    {
        public const byte Result = 0;
        public const byte Control = 1;
        public const byte QcWarning = 1;
        public const byte BelowLod = 2;

        private const int RecordSize = 34;
        private readonly FileStream _file;
        private long _rows;

        public Spool()
        {
            var path = Path.Combine(Path.GetTempPath(), $"biobank-import-{Guid.NewGuid():N}.spool");
            _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        }

        public void Write(byte kind, int index, int analyte, double value, double lod, double raw, byte flags)
        {
            // One write of the whole record: BinaryWriter would call the stream once per field.
            Span<byte> r = stackalloc byte[RecordSize];
            r[0] = kind;
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(r[1..], index);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(r[5..], analyte);
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(r[9..], value);
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(r[17..], lod);
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(r[25..], raw);
            r[33] = flags;
            _file.Write(r);
            _rows++;
        }

        public void EndWriting() => _file.Flush();

        public IEnumerable<SpoolRow> Read(byte kind)
        {
            _file.Flush();
            _file.Position = 0;
            var buffer = new byte[RecordSize * 2048];
            for (var left = _rows; left > 0;)
            {
                var n = (int)Math.Min(left, 2048);
                _file.ReadExactly(buffer, 0, n * RecordSize);
                for (var i = 0; i < n; i++)
                {
                    var r = buffer.AsSpan(i * RecordSize, RecordSize);
                    if (r[0] == kind)
                    {
                        yield return new SpoolRow(r[0], System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(r[1..]),
                            System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(r[5..]), System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(r[9..]),
                            System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(r[17..]), System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(r[25..]), r[33]);
                    }
                }
                left -= n;
            }
        }

        public void Dispose() => _file.Dispose();
    }

    internal readonly record struct SpoolRow(byte Kind, int Index, int Analyte, double Value, double Lod, double Raw, byte Flags);
}
