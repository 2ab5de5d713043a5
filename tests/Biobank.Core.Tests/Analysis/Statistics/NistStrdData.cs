namespace Biobank.Core.Tests.Analysis.Statistics;

/// <summary>
/// Data and certified values of three NIST Statistical Reference Datasets for linear least squares,
/// as published in Norris.dat, Pontius.dat and Longley.dat at https://www.itl.nist.gov/div898/strd/lls/lls.shtml
/// (transcribed from copies of those files kept in public test suites, two copies compared for each
/// data set; a wrong digit would show as disagreement far beyond the tolerances). NIST data are public domain. Certified values carry 15
/// significant digits, rounded from NIST's multiple-precision (500-digit) computation.
/// </summary>
internal static class NistStrdData
{
    // Norris.dat — Norris, J., NIST. Calibration of Ozone Monitors. Lower difficulty.
    // Model y = B0 + B1*x. Certified values: lines 31–46 of the file; data: lines 61–96 (y, x).
    public static readonly double[,] Norris =
    {
        { 0.1, 0.2 }, { 338.8, 337.4 }, { 118.1, 118.2 }, { 888.0, 884.6 }, { 9.2, 10.1 }, { 228.1, 226.5 },
        { 668.5, 666.3 }, { 998.5, 996.3 }, { 449.1, 448.6 }, { 778.9, 777.0 }, { 559.2, 558.2 }, { 0.3, 0.4 },
        { 0.1, 0.6 }, { 778.1, 775.5 }, { 668.8, 666.9 }, { 339.3, 338.0 }, { 448.9, 447.5 }, { 10.8, 11.6 },
        { 557.7, 556.0 }, { 228.3, 228.1 }, { 998.0, 995.8 }, { 888.8, 887.6 }, { 119.6, 120.2 }, { 0.3, 0.3 },
        { 0.6, 0.3 }, { 557.6, 556.8 }, { 339.3, 339.1 }, { 888.0, 887.2 }, { 998.5, 999.0 }, { 778.9, 779.0 },
        { 10.2, 11.1 }, { 117.6, 118.3 }, { 228.9, 229.2 }, { 668.4, 669.1 }, { 449.2, 448.9 }, { 0.2, 0.5 },
    };

    public static readonly double[] NorrisB = [-0.262323073774029, 1.00211681802045];
    public static readonly double[] NorrisSe = [0.232818234301152, 0.429796848199937E-03];
    public const double NorrisResidualSd = 0.884796396144373;
    public const double NorrisRSquared = 0.999993745883712;

    // Pontius.dat — Pontius, P., NIST. Load Cell Calibration. Average difficulty.
    // Model y = B0 + B1*x + B2*x**2 (quadratic class). Data: lines 61–100 (y = deflection, x = load).
    public static readonly double[,] Pontius =
    {
        { .11019, 150000 }, { .21956, 300000 }, { .32949, 450000 }, { .43899, 600000 }, { .54803, 750000 },
        { .65694, 900000 }, { .76562, 1050000 }, { .87487, 1200000 }, { .98292, 1350000 }, { 1.09146, 1500000 },
        { 1.20001, 1650000 }, { 1.30822, 1800000 }, { 1.41599, 1950000 }, { 1.52399, 2100000 }, { 1.63194, 2250000 },
        { 1.73947, 2400000 }, { 1.84646, 2550000 }, { 1.95392, 2700000 }, { 2.06128, 2850000 }, { 2.16844, 3000000 },
        { .11052, 150000 }, { .22018, 300000 }, { .32939, 450000 }, { .43886, 600000 }, { .54798, 750000 },
        { .65739, 900000 }, { .76596, 1050000 }, { .87474, 1200000 }, { .98300, 1350000 }, { 1.09150, 1500000 },
        { 1.20004, 1650000 }, { 1.30818, 1800000 }, { 1.41613, 1950000 }, { 1.52408, 2100000 }, { 1.63159, 2250000 },
        { 1.73965, 2400000 }, { 1.84696, 2550000 }, { 1.95445, 2700000 }, { 2.06177, 2850000 }, { 2.16829, 3000000 },
    };

    public static readonly double[] PontiusB = [0.673565789473684E-03, 0.732059160401003E-06, -0.316081871345029E-14];
    public static readonly double[] PontiusSe = [0.107938612033077E-03, 0.157817399981659E-09, 0.486652849992036E-16];
    public const double PontiusResidualSd = 0.205177424076185E-03;
    public const double PontiusRSquared = 0.999999900178537;

    // Longley.dat — Longley, J. W. (1967), "An Appraisal of Least Squares Programs for the Electronic
    // Computer from the Viewpoint of the User", JASA 62, 819–841. Higher difficulty (highly collinear).
    // Model y = B0 + B1*x1 + ... + B6*x6. Data: lines 61–76 (y, x1 … x6).
    public static readonly double[,] Longley =
    {
        { 60323, 83.0, 234289, 2356, 1590, 107608, 1947 },
        { 61122, 88.5, 259426, 2325, 1456, 108632, 1948 },
        { 60171, 88.2, 258054, 3682, 1616, 109773, 1949 },
        { 61187, 89.5, 284599, 3351, 1650, 110929, 1950 },
        { 63221, 96.2, 328975, 2099, 3099, 112075, 1951 },
        { 63639, 98.1, 346999, 1932, 3594, 113270, 1952 },
        { 64989, 99.0, 365385, 1870, 3547, 115094, 1953 },
        { 63761, 100.0, 363112, 3578, 3350, 116219, 1954 },
        { 66019, 101.2, 397469, 2904, 3048, 117388, 1955 },
        { 67857, 104.6, 419180, 2822, 2857, 118734, 1956 },
        { 68169, 108.4, 442769, 2936, 2798, 120445, 1957 },
        { 66513, 110.8, 444546, 4681, 2637, 121950, 1958 },
        { 68655, 112.6, 482704, 3813, 2552, 123366, 1959 },
        { 69564, 114.2, 502601, 3931, 2514, 125368, 1960 },
        { 69331, 115.7, 518173, 4806, 2572, 127852, 1961 },
        { 70551, 116.9, 554894, 4007, 2827, 130081, 1962 },
    };

    public static readonly double[] LongleyB =
    [
        -3482258.63459582, 15.0618722713733, -0.358191792925910E-01, -2.02022980381683,
        -1.03322686717359, -0.511041056535807E-01, 1829.15146461355,
    ];

    public static readonly double[] LongleySe =
    [
        890420.383607373, 84.9149257747669, 0.334910077722432E-01, 0.488399681651699,
        0.214274163161675, 0.226073200069370, 455.478499142212,
    ];

    public const double LongleyResidualSd = 304.854073561965;
    public const double LongleyRSquared = 0.995479004577296;

    public static double[] Column(double[,] table, int column)
    {
        var values = new double[table.GetLength(0)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = table[i, column];
        }

        return values;
    }
}
