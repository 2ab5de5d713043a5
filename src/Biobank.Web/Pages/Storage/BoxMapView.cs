using Biobank.Core.Samples;
using Biobank.Core.Storage;

namespace Biobank.Web.Pages.Storage;

/// <summary>What the box-map partial draws: the box and its tubes by (row, column).</summary>
public sealed record BoxMapView(BoxRow Box, IReadOnlyDictionary<(int Row, int Col), TubeView> Tubes);
