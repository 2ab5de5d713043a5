#!/usr/bin/python3
"""Independent oracle for the association scan: SciPy and statsmodels on the same rows.

  association_scan.py rows IN.csv OUT.csv MIN_N
      IN: biomarker,response,dose,cov...  (NA = missing). Writes per biomarker n, Spearman rho and p
      (scipy.stats.spearmanr), the dose slope of OLS response ~ 1 + covariates + dose (statsmodels),
      its SE, 95 % CI and p, and Benjamini-Hochberg q of both p columns (multipletests fdr_bh).
  association_scan.py compare DATA_OUT.csv RESULTS.csv MIN_N
      Recomputes `biobank associate --data-out` rows the same way (sex F=0/M=1, modality as two
      indicators, proton and both) and compares with the results file: rho, slope and CI within
      1e-9 relative, p and q within 1e-6. Prints what differs; exit 1 when anything does.

Rows with any missing value are left out of that biomarker's fit, as the scan does. Written from
the textbook definitions with the libraries' own functions; it shares no code with the LIMS.
"""
import sys
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

warnings.simplefilter("ignore")
import os
PRECISION = os.environ.get("ORACLE_FLOAT_PRECISION", "round_trip")


def scan(data, covariates, minimum_n):
    rows = []
    for biomarker, group in data.groupby("biomarker", sort=True):
        group = group[["response", "dose", *covariates]].dropna()
        n = len(group)
        row = {"biomarker": biomarker, "n": n, "rho": np.nan, "rho_p": np.nan,
               "slope": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan, "slope_p": np.nan}
        if n >= minimum_n:
            y = group["response"].to_numpy(float)
            d = group["dose"].to_numpy(float)
            if np.ptp(y) > 0 and np.ptp(d) > 0:
                rho, p = stats.spearmanr(y, d)
                row["rho"], row["rho_p"] = rho, p
            # Constant covariates in this subset drop out, as the scan's aliased columns do.
            design = group[[c for c in covariates if group[c].nunique() > 1]].to_numpy(float)
            x = sm.add_constant(np.column_stack([design, d]) if design.size else d.reshape(-1, 1), has_constant="add")
            # A flat response has no slope test (0/0); the scan says NaN, so does the oracle.
            if np.ptp(y) > 0 and np.ptp(d) > 0 and n - x.shape[1] > 0:
                fit = sm.OLS(y, x).fit()
                low, high = fit.conf_int(0.05)[-1]
                row.update(slope=fit.params[-1], se=fit.bse[-1], ci_low=low, ci_high=high, slope_p=fit.pvalues[-1])
        rows.append(row)
    out = pd.DataFrame(rows)
    for p_col, q_col in (("slope_p", "slope_q"), ("rho_p", "rho_q")):
        out[q_col] = np.nan
        ok = out[p_col].notna()
        if ok.any():
            out.loc[ok, q_col] = multipletests(out.loc[ok, p_col], method="fdr_bh")[1]
    return out


def rows_mode(path_in, path_out, minimum_n):
    data = pd.read_csv(path_in, na_values=["NA"], keep_default_na=False)
    covariates = [c for c in data.columns if c not in ("biomarker", "response", "dose")]
    scan(data, covariates, minimum_n).to_csv(path_out, index=False, float_format="%.17g", na_rep="NA")


def compare_mode(data_out, results, minimum_n):
    data = pd.read_csv(data_out, na_values=["NA", ""], keep_default_na=False, float_precision=PRECISION)
    covariates = []
    if "age" in data:
        covariates.append("age")
    if "sex" in data:
        data["sex01"] = data["sex"].map({"F": 0.0, "M": 1.0})
        covariates.append("sex01")
    if "modality" in data:
        known = data["modality"].notna()
        data["proton"] = np.where(known, (data["modality"] == "proton").astype(float), np.nan)
        data["both"] = np.where(known, (data["modality"] == "both").astype(float), np.nan)
        covariates += ["proton", "both"]
    oracle = scan(data, covariates, minimum_n).set_index("biomarker")
    ours = pd.read_csv(results, na_values=["NA", ""], keep_default_na=False).set_index("biomarker")
    se = oracle["se"]
    checks = [("spearman_rho", "rho", 1e-9, None), ("spearman_p", "rho_p", 1e-6, None), ("spearman_q", "rho_q", 1e-6, None),
              ("slope", "slope", 1e-9, None), ("slope_ci_low", "ci_low", 1e-9, se), ("slope_ci_high", "ci_high", 1e-9, se),
              ("slope_p", "slope_p", 1e-6, None), ("q_value", "slope_q", 1e-6, None)]
    failed = 0
    print(f"{len(ours)} biomarkers in the results, {len(oracle)} recomputed by SciPy {stats.__name__ and __import__('scipy').__version__} / statsmodels {sm.__version__ if hasattr(sm, '__version__') else __import__('statsmodels').__version__}")
    n_bad = int((ours["n"] != oracle.loc[ours.index, "n"]).sum())
    print(f"n: {n_bad} differ")
    failed += n_bad
    for column, theirs_column, tolerance, floor in checks:
        a = ours[column].astype(float)
        b = oracle.loc[ours.index, theirs_column].astype(float)
        nan_mismatch = int((a.isna() != b.isna()).sum())
        both = a.notna() & b.notna()
        scale = b[both].abs()
        if floor is not None:
            scale = np.maximum(scale, floor.loc[ours.index][both].abs())
        relative = (a[both] - b[both]).abs() / np.maximum(scale, 1e-300)
        bad = int(((relative > tolerance) & ((a[both] - b[both]).abs() > 1e-14)).sum())
        worst = float(relative.max()) if len(relative) else 0.0
        print(f"{column}: {int(both.sum())} compared, {bad} beyond {tolerance:g} relative (worst {worst:.2e}), {nan_mismatch} NA mismatches")
        failed += bad + nan_mismatch
    print("agree" if failed == 0 else f"DIFFER: {failed}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "rows":
        rows_mode(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif mode == "compare":
        sys.exit(compare_mode(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    else:
        sys.exit(f"unknown mode {mode}; see the docstring")
