"""Bulk import of listings from spreadsheets: columns, parsing, templates, the import job service and its queries."""
