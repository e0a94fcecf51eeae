"""The audit log: who did what to which record, append-only, read by the audit administrator."""
