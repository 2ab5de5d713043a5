using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Biobank.Core.Common;
using Biobank.Core.Samples;

namespace Biobank.Core.Assays;

public sealed partial class ImportAssay
{
    [GeneratedRegex(@"^(?<code>[^()]+?)\s*(?:\((?<unit>[^()]*)\))?$", RegexOptions.CultureInvariant)]
    private static partial Regex WideHeaderCell();

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

    /// <summary>The validating pass: reads every row, lists every problem, spools what the write will need.</summary>
    internal sealed class Validation : IDisposable
    {
        private readonly ImportAssayCommand _cmd;
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
        private bool _decimalComma;

        public Validation(ImportAssayCommand cmd, ImportContext context, ImportProblems problems, Spool spool, DbConnection lookup, Caller caller,
            IProgress<ImportProgress>? progress, long bytes)
        {
            _cmd = cmd;
            _context = context;
            _problems = problems;
            _spool = spool;
            _lookup = lookup;
            _caller = caller;
            _progress = progress;
            _bytes = bytes;
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
            _references = cmd.Format == AssayFileFormat.Qpcr ? cmd.References.Select(r => r.Trim()).Where(r => r.Length > 0).Distinct(StringComparer.Ordinal).ToArray() : [];
        }

        public List<TubeSlot> Tubes { get; } = [];
        public List<AnalyteSlot> Analytes { get; } = [];
        public List<int> NewAnalytes { get; } = [];
        public List<(string Sample, string? Plate)> ControlSamples { get; } = [];
        public long RowsRead { get; private set; }
        public long RowsValidated { get; private set; }
        public long Results { get; private set; }
        public long Controls { get; private set; }
        public int AnalytesUsed => Analytes.Count(a => a.Used);

        public async Task RunAsync(AssayRowSource source, CancellationToken ct)
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
            if (!await source.ReadAsync(ct))
            {
                _problems.Add(0, "file", "", "the file holds no rows");
                return;
            }
            var header = source.Fields.ToArray();
            if (header.Length > 0 && header[0].StartsWith('\uFEFF'))
            {
                header[0] = header[0][1..];
            }
            if (header.All(string.IsNullOrWhiteSpace))
            {
                _problems.Add(source.Line, "header", "", "the first row is empty: it must be the header");
                return;
            }
            var delimiter = source.Delimiter;
            _decimalComma = delimiter == ';';
            var allowed = _cmd.Format is AssayFileFormat.Npx or AssayFileFormat.Qpcr ? ",;" : ",;\t";
            if (delimiter != 'x' && !allowed.Contains(delimiter, StringComparison.Ordinal))
            {
                _problems.Add(1, "header", Show(string.Join(delimiter, header)),
                    $"the file is {(delimiter == '\t' ? "tab" : $"'{delimiter}'")}-separated; a {AssayFormats.Name(_cmd.Format)} file is comma- or semicolon-separated");
                return;
            }
            var headerOk = true;
            for (var i = 0; i < header.Length; i++)
            {
                if (AssayText.Refuse(header[i]) is { } why)
                {
                    _problems.Add(1, (i + 1).ToString(CultureInfo.InvariantCulture), Show(header[i]), why);
                    headerOk = false;
                }
            }
            if (!headerOk)
            {
                return;
            }
            var rowHandler = _cmd.Format switch
            {
                AssayFileFormat.Npx => NpxHeader(header),
                AssayFileFormat.Qpcr => QpcrHeader(header),
                AssayFileFormat.Wide => WideHeader(header),
                _ => await CountsHeaderAsync(header, ct),
            };
            if (rowHandler is null)
            {
                return;
            }
            while (await source.ReadAsync(ct))
            {
                var fields = source.Fields;
                if (IsBlank(fields))
                {
                    continue;
                }
                RowsRead++;
                var row = source.Line;
                if (fields.Length != header.Length)
                {
                    _problems.Add(row, "line", Show(string.Join(delimiter == 'x' ? ',' : delimiter, fields)), fields.Length < header.Length
                        ? $"{fields.Length} fields where the header has {header.Length}: a truncated line, or a missing value?"
                        : $"{fields.Length} fields where the header has {header.Length}: an unquoted delimiter inside a value (a decimal comma in a comma-separated file?)");
                }
                else if (Clean(row, header, fields) && await rowHandler(row, fields, ct))
                {
                    RowsValidated++;
                }
                if (RowsRead % ReportEvery == 0)
                {
                    ct.ThrowIfCancellationRequested();
                    _progress?.Report(new ImportProgress(ImportPhase.Validating, _bytes, source.BytesRead, RowsRead, RowsValidated, 0, 0));
                }
            }
            if (RowsRead == 0)
            {
                _problems.Add(2, "file", "", "the file has a header but no data rows");
            }
            _progress?.Report(new ImportProgress(ImportPhase.Validating, _bytes, _bytes, RowsRead, RowsValidated, 0, 0));
        }

        /// <summary>Checks that need the whole file: every qPCR sample has its reference miRNAs.</summary>
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

        private delegate ValueTask<bool> RowHandler(int row, string[] fields, CancellationToken ct);

        // ---- NPX -------------------------------------------------------------------------------------------

        private RowHandler? NpxHeader(string[] header)
        {
            var map = MapExactHeader(header, AssayFormats.NpxHeader, "NPX");
            if (map is null)
            {
                return null;
            }
            int sample = map["SampleID"], uniprot = map["UniProt"], assay = map["Assay"], panel = map["Panel"], version = map["Panel_Version"],
                plate = map["PlateID"], qc = map["QC_Warning"], lodCol = map["LOD"], npx = map["NPX"];
            return async (row, f, ct) =>
            {
                var ok = true;
                var sampleId = f[sample];
                if (sampleId.Length == 0)
                {
                    _problems.Add(row, "SampleID", "", "no sample ID");
                    ok = false;
                }
                var analyte = ResolveAnalyte(row, "UniProt", f[uniprot], f[assay], f[panel], f[version], null);
                ok &= analyte >= 0;
                ok &= Qc(row, f[qc], out var warning);
                ok &= OptionalNumber(row, "LOD", f[lodCol], out var lod);
                ok &= OptionalNumber(row, "NPX", f[npx], out var value);
                var plateId = f[plate].Length == 0 ? null : f[plate];
                byte flags = (byte)((warning ? Spool.QcWarning : 0) | (!double.IsNaN(lod) && !double.IsNaN(value) && value < lod ? Spool.BelowLod : 0));
                return await AcceptAsync(row, "SampleID", sampleId, plateId, analyte, value, lod, double.NaN, flags, ok, ct);
            };
        }

        private static readonly Dictionary<string, bool> QcFlags = new(StringComparer.OrdinalIgnoreCase)
        {
            [""] = false, ["PASS"] = false, ["PASSED"] = false, ["OK"] = false, ["NA"] = false, ["0"] = false, ["FALSE"] = false, ["NO"] = false,
            ["WARN"] = true, ["WARNING"] = true, ["FAIL"] = true, ["FAILED"] = true, ["1"] = true, ["TRUE"] = true, ["YES"] = true,
        };

        private static bool Qc(string text, out bool warning) => QcFlags.TryGetValue(text, out warning);

        private bool Qc(int row, string text, out bool warning)
        {
            if (Qc(text, out warning))
            {
                return true;
            }
            _problems.Add(row, "QC_Warning", Show(text), "not a QC flag: Pass or Warning");
            return false;
        }

        // ---- qPCR ------------------------------------------------------------------------------------------

        private RowHandler? QpcrHeader(string[] header)
        {
            var map = MapExactHeader(header, AssayFormats.QpcrHeader, "qPCR");
            if (map is null)
            {
                return null;
            }
            int sample = map["SampleID"], mirna = map["miRNA"], ctCol = map["Ct"];
            return async (row, f, ct) =>
            {
                var ok = true;
                var sampleId = f[sample];
                if (sampleId.Length == 0)
                {
                    _problems.Add(row, "SampleID", "", "no sample ID");
                    ok = false;
                }
                var analyte = ResolveAnalyte(row, "miRNA", f[mirna], null, null, null, null);
                ok &= analyte >= 0;
                var text = f[ctCol];
                var ctValue = double.NaN;
                if (!(AssayText.IsMissing(text) || text.Equals("Undetermined", StringComparison.OrdinalIgnoreCase) || text.Equals("Undet", StringComparison.OrdinalIgnoreCase)))
                {
                    if (!AssayText.TryNumber(text, _decimalComma, out ctValue, out var why))
                    {
                        _problems.Add(row, "Ct", Show(text), why!);
                        ok = false;
                    }
                    else if (ctValue is < 0 or > 50)
                    {
                        _problems.Add(row, "Ct", Show(text), "a Ct lies between 0 and 50 cycles");
                        ok = false;
                    }
                }
                if (sampleId.Length > 0 && IsControl(sampleId))
                {
                    return await AcceptAsync(row, "SampleID", sampleId, null, analyte, double.NaN, double.NaN, ctValue, 0, ok, ct);
                }
                var tube = sampleId.Length == 0 ? -1 : await ResolveTubeAsync(row, "SampleID", sampleId, ct);
                if (!ok || tube < 0)
                {
                    return false;
                }
                var reference = Array.IndexOf(_references, Analytes[analyte].Code);
                if (reference >= 0)
                {
                    if (double.IsNaN(ctValue))
                    {
                        _problems.Add(row, "Ct", Show(text), $"the reference miRNA {Analytes[analyte].Code} has no Ct in this sample: its ΔCt cannot be computed");
                        return false;
                    }
                    var slot = Tubes[tube];
                    if ((slot.RefSeen & (1UL << reference)) == 0)
                    {
                        slot.RefSeen |= 1UL << reference;
                        slot.RefSum += ctValue;
                    }
                }
                return AcceptTube(row, "SampleID", sampleId, null, tube, analyte, double.NaN, double.NaN, ctValue, 0);
            };
        }

        // ---- wide ------------------------------------------------------------------------------------------

        private RowHandler? WideHeader(string[] header)
        {
            if (header.Length < 2)
            {
                _problems.Add(1, "header", Show(header[0]),
                    "a wide file has the aliquot barcode in its first column and one column per analyte; this header has one column (is the file comma- or semicolon-separated?)");
                return null;
            }
            var columns = new int[header.Length];
            var seen = new Dictionary<int, string>();
            var ok = true;
            for (var i = 1; i < header.Length; i++)
            {
                var cell = header[i];
                var match = WideHeaderCell().Match(cell);
                if (cell.Length == 0 || !match.Success)
                {
                    _problems.Add(1, (i + 1).ToString(CultureInfo.InvariantCulture), Show(cell), cell.Length == 0 ? "an empty column header: every column names its analyte" : "not an analyte header: write 'P05231' or 'IL6 (pg/mL)'");
                    ok = false;
                    continue;
                }
                var code = match.Groups["code"].Value.Trim();
                var unit = match.Groups["unit"].Success ? match.Groups["unit"].Value.Trim() : null;
                var local = ResolveAnalyte(1, cell, code, null, null, null, unit, byName: true);
                if (local < 0)
                {
                    ok = false;
                    continue;
                }
                if (seen.TryGetValue(local, out var first))
                {
                    _problems.Add(1, cell, Show(cell), $"the analyte {Analytes[local].Code} has two columns (also '{first}')");
                    ok = false;
                    continue;
                }
                seen[local] = cell;
                if (unit is not null && ExpectedUnit(local) is { } expected && Fold(expected) != Fold(unit))
                {
                    _problems.Add(1, cell, Show(cell), $"the unit {unit} differs from the catalogue's {expected} for {Analytes[local].Code}: convert the values, or correct the catalogue");
                    ok = false;
                    continue;
                }
                columns[i] = local;
            }
            if (!ok)
            {
                return null;
            }
            return async (row, f, ct2) =>
            {
                var sampleId = f[0];
                if (sampleId.Length == 0)
                {
                    _problems.Add(row, header[0], "", "no aliquot barcode");
                    return false;
                }
                var values = new double[f.Length];
                var good = true;
                for (var i = 1; i < f.Length; i++)
                {
                    good &= OptionalNumber(row, header[i], f[i], out values[i]);
                }
                if (!good)
                {
                    return false;
                }
                var control = IsControl(sampleId);
                var tube = control ? -1 : await ResolveTubeAsync(row, header[0], sampleId, ct2);
                if (!control && tube < 0)
                {
                    return false;
                }
                for (var i = 1; i < f.Length; i++)
                {
                    if (control)
                    {
                        Spooled(Spool.Control, ControlIndex(sampleId, null), columns[i], values[i], double.NaN, double.NaN, 0);
                        Controls++;
                    }
                    else
                    {
                        good &= AcceptTube(row, header[0], sampleId, null, tube, columns[i], values[i], double.NaN, double.NaN, 0);
                    }
                }
                return good;
            };
        }

        private string? ExpectedUnit(int local)
        {
            var slot = Analytes[local];
            var platform = _context.Platform;
            if (platform.ValueKind != ValueKinds.Concentration)
            {
                return platform.DefaultUnit;
            }
            return slot.Id is null ? null : _context.Analytes.First(a => a.Id == slot.Id).Unit ?? platform.DefaultUnit;
        }

        private static string Fold(string unit) =>
            unit.Replace(" ", "", StringComparison.Ordinal).Replace('µ', 'u').Replace('μ', 'u').ToLowerInvariant();

        // ---- counts ----------------------------------------------------------------------------------------

        private async Task<RowHandler?> CountsHeaderAsync(string[] header, CancellationToken ct)
        {
            if (header.Length < 2)
            {
                _problems.Add(1, "header", Show(header[0]),
                    "a counts matrix has the miRNA in its first column and one column per aliquot; this header has one column (is the file comma- or semicolon-separated?)");
                return null;
            }
            // Column i holds a tube (index ≥ 0) or a control (−2 − control index).
            var columns = new int[header.Length];
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            var ok = true;
            for (var i = 1; i < header.Length; i++)
            {
                var sampleId = header[i];
                if (sampleId.Length == 0)
                {
                    _problems.Add(1, (i + 1).ToString(CultureInfo.InvariantCulture), "", "an empty column header: every column names its aliquot");
                    ok = false;
                    continue;
                }
                if (seen.TryGetValue(sampleId, out var first))
                {
                    _problems.Add(1, (i + 1).ToString(CultureInfo.InvariantCulture), Show(sampleId), $"this sample has two columns ({first + 1} and {i + 1})");
                    ok = false;
                    continue;
                }
                seen[sampleId] = i;
                if (IsControl(sampleId))
                {
                    columns[i] = -2 - ControlIndex(sampleId, null);
                    continue;
                }
                var tube = await ResolveTubeAsync(1, (i + 1).ToString(CultureInfo.InvariantCulture), sampleId, ct);
                if (tube < 0)
                {
                    ok = false;
                }
                columns[i] = tube;
            }
            if (!ok)
            {
                return null;
            }
            return (row, f, ct2) =>
            {
                var analyte = ResolveAnalyte(row, header[0], f[0], null, null, null, null);
                var good = analyte >= 0;
                var values = new double[f.Length];
                for (var i = 1; i < f.Length; i++)
                {
                    if (OptionalNumber(row, header[i], f[i], out values[i]))
                    {
                        if (values[i] < 0)
                        {
                            _problems.Add(row, header[i], Show(f[i]), "a read count cannot be negative");
                            good = false;
                        }
                    }
                    else
                    {
                        good = false;
                    }
                }
                if (!good)
                {
                    return ValueTask.FromResult(false);
                }
                for (var i = 1; i < f.Length; i++)
                {
                    if (columns[i] <= -2)
                    {
                        Spooled(Spool.Control, -2 - columns[i], analyte, values[i], double.NaN, double.NaN, 0);
                        Controls++;
                    }
                    else
                    {
                        good &= AcceptTube(row, header[i], header[i], null, columns[i], analyte, values[i], double.NaN, double.NaN, 0);
                    }
                }
                return ValueTask.FromResult(good);
            };
        }

        // ---- shared ----------------------------------------------------------------------------------------

        private Dictionary<string, int>? MapExactHeader(string[] header, IReadOnlyList<string> expected, string formatName)
        {
            var ok = true;
            if (header.Length == 1 && expected.Count > 1)
            {
                _problems.Add(1, "header", Show(header[0]),
                    $"the header is one column: a {formatName} file is comma- or semicolon-separated with the columns {string.Join(",", expected)}");
                return null;
            }
            var map = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                var name = header[i];
                if (map.TryGetValue(name, out var first))
                {
                    _problems.Add(1, name, Show(name), $"the column {name} appears twice (columns {first + 1} and {i + 1})");
                    ok = false;
                    continue;
                }
                map[name] = i;
                if (!expected.Contains(name, StringComparer.Ordinal))
                {
                    var near = expected.FirstOrDefault(e => string.Equals(e, name, StringComparison.OrdinalIgnoreCase));
                    _problems.Add(1, (i + 1).ToString(CultureInfo.InvariantCulture), Show(name), near is not null
                        ? $"the column must be written {near} exactly"
                        : $"not a column of the {formatName} format, whose header is exactly {string.Join(",", expected)}");
                    ok = false;
                }
            }
            foreach (var name in expected)
            {
                if (!map.ContainsKey(name) && !header.Any(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase)))
                {
                    _problems.Add(1, name, "", $"the column {name} is missing (the {formatName} header is exactly {string.Join(",", expected)})");
                    ok = false;
                }
            }
            return ok ? map : null;
        }

        private bool OptionalNumber(int row, string column, string text, out double value)
        {
            if (AssayText.IsMissing(text))
            {
                value = double.NaN;
                return true;
            }
            if (AssayText.TryNumber(text, _decimalComma, out value, out var why))
            {
                return true;
            }
            _problems.Add(row, column, Show(text), why!);
            value = double.NaN;
            return false;
        }

        private async ValueTask<bool> AcceptAsync(int row, string column, string sampleId, string? plate, int analyte, double value, double lod, double raw, byte flags, bool ok,
            CancellationToken ct)
        {
            if (sampleId.Length == 0)
            {
                return false;
            }
            if (_tubeByCode.TryGetValue(sampleId, out var known))
            {
                return ok && known >= 0 && AcceptTube(row, column, sampleId, plate, known, analyte, value, lod, raw, flags);
            }
            if (IsControl(sampleId))
            {
                if (!ok)
                {
                    return false;
                }
                Spooled(Spool.Control, ControlIndex(sampleId, plate), analyte, value, lod, raw, flags);
                Controls++;
                return true;
            }
            var tube = await ResolveTubeAsync(row, column, sampleId, ct);
            return ok && tube >= 0 && AcceptTube(row, column, sampleId, plate, tube, analyte, value, lod, raw, flags);
        }

        private bool AcceptTube(int row, string column, string sampleId, string? plate, int tube, int analyte, double value, double lod, double raw, byte flags)
        {
            var slot = Tubes[tube];
            if (IsSet(slot.Stored, analyte))
            {
                _problems.AddOnce($"stored:{tube}", row, column, Show(sampleId),
                    $"aliquot {slot.Barcode} already has results in run {_cmd.RunCode} for analytes of this file (e.g. {Analytes[analyte].Code})");
                return false;
            }
            if (!Mark(ref slot.Seen, analyte))
            {
                _problems.Add(row, column, Show(sampleId), $"a second value for aliquot {slot.Barcode} and analyte {Analytes[analyte].Code} in this file");
                return false;
            }
            slot.Plate ??= plate;
            Spooled(Spool.Result, tube, analyte, value, lod, raw, flags);
            Results++;
            return true;
        }

        private void Spooled(byte kind, int index, int analyte, double value, double lod, double raw, byte flags)
        {
            Analytes[analyte].Used = true;
            _spool.Write(kind, index, analyte, value, lod, raw, flags);
        }

        /// <summary>
        /// A plate control by its sample ID — unless the ID is one of our own valid aliquot barcodes, so a site whose
        /// prefix happens to start like a control (PC…, NC…) never has its aliquots taken for controls.
        /// </summary>
        private bool IsControl(string sampleId) =>
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
                var expected = _cmd.Format is AssayFileFormat.Qpcr or AssayFileFormat.Counts ? "mirna" : null;
                if (kind is not null && (expected is null || kind == expected) && (_cmd.Format != AssayFileFormat.Npx || kind == "protein"))
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
                reason = _cmd.Format is AssayFileFormat.Qpcr or AssayFileFormat.Counts
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
