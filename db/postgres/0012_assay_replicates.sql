-- qPCR instrument exports hold one row per well: the technical replicates of a (sample, target) are averaged into
-- one assay_result, and what was averaged is kept here — how many wells, how many amplified, the SD of their Ct
-- (the QC flag on the result says when it was above the limit), and the wells. Only replicate formats write here,
-- so the narrow assay_result stays as it is.
CREATE TABLE assay_result_replicates (
    run_id      BIGINT  NOT NULL,
    tube_id     BIGINT  NOT NULL,
    analyte_id  BIGINT  NOT NULL,
    replicates  INTEGER NOT NULL,
    detected    INTEGER NOT NULL,
    sd          DOUBLE PRECISION NULL,
    wells       TEXT    NULL,
    PRIMARY KEY (run_id, tube_id, analyte_id)
);

-- assay_file.format held the four names the importer knew; formats are plug-ins now (AssayFormatRegistry), their
-- names checked in code.
ALTER TABLE assay_file DROP CONSTRAINT assay_file_format_check;
ALTER TABLE assay_file ADD CONSTRAINT assay_file_format_check CHECK (length(format) BETWEEN 1 AND 40);
