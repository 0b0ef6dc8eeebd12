"""ReportLab reports (sync log, coverage, participants): data in, PDF bytes out."""
