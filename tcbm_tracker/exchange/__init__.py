"""Moving the record in and out of spreadsheets (CSV and XLSX), without Qt.

- ``layout``: the exchange columns (raw keys, ISO dates, status codes) and the evidence key
  that lets an assessment row cite evidence across databases;
- ``sources``: reading CSV and XLSX rows as a stream, refusing unsafe files before they are read;
- ``exporter`` / ``readable``: writing the exchange layout and the readable workbook;
- ``importer``: validating every row, then applying all or nothing in one transaction.
"""
