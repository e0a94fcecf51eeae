from tests.accounts.conftest import english  # noqa: F401  (refusals read in English)
