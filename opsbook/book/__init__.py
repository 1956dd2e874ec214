"""The part-preserving book engine: edits .xlsx/.xlsm packages part by part."""
