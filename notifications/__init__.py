"""The inbox (the bell) and the outbox (daily digests by email and webhook)."""
