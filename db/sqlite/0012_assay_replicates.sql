-- qPCR instrument exports hold one row per well: the technical replicates of a (sample, target) are averaged into
-- one assay_result, and what was averaged is kept here — how many wells, how many amplified, the SD of their Ct
-- (the QC flag on the result says when it was above the limit), and the wells. Only replicate formats write here,
-- so the narrow assay_result stays as it is.
CREATE TABLE assay_result_replicates (
    run_id      INTEGER NOT NULL,
    tube_id     INTEGER NOT NULL,
    analyte_id  INTEGER NOT NULL,
    replicates  INTEGER NOT NULL,
    detected    INTEGER NOT NULL,
    sd          REAL    NULL,
    wells       TEXT    NULL,
    PRIMARY KEY (run_id, tube_id, analyte_id)
);
