"""What drives the model: batches (`simulate`), strategy comparisons (`compare`), sweeps
(`designs`, `sweep`), sensitivity analysis, validation, and the results folders they write
(`storage`) and draw (`figures`), run on one `executor`."""
