"""Report writers: turn finished DataFrames into files (XLSX, HTML). No database access."""
