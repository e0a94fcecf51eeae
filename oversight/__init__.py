"""The top floor: every read across cases, letters and measures — role homes, the dashboard, the
closure chain, PDF documents, Excel import and export, scheduled reports. Nothing imports it."""
