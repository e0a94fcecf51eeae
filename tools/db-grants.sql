-- The database roles of a production installation: the owner of the tables, who runs the
-- migrations, and the application's role, which reads and writes rows and nothing else.
--
-- Why: the audit log (accounts_auditentry) is append-only. Its triggers refuse UPDATE, the DELETE
-- of rows younger than 180 days (accounts.0007) and TRUNCATE (audit.0004), but the owner of a
-- table may drop its triggers. The application's role must therefore not own the tables, nor be
-- a superuser, nor hold TRUNCATE: then nothing the application runs can empty or rewrite the log.
-- `manage.py check --deploy` warns while it does (audit.W001).
--
-- Run once as a superuser, connected to the application's database, after the first
-- `manage.py migrate` (which created the tables as their owner), e.g.:
--
--     psql -v ON_ERROR_STOP=1 -d yianchugai -f tools/db-grants.sql
--     psql -d yianchugai -c '\password yianchugai_app'
--
-- Then run `manage.py migrate` with the owner's DATABASE_URL (postgres://yianchugai@…, the role
-- docker-compose.yml creates) and gunicorn, the Celery worker and beat with the application's
-- (postgres://yianchugai_app@…). Rename the roles here if yours are called otherwise; the lines
-- between "grants:begin" and "grants:end" are what tests/audit/test_database_roles.py applies.

BEGIN;

-- The application's role: signs in, owns nothing.
CREATE ROLE yianchugai_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;

-- grants:begin
GRANT USAGE ON SCHEMA public TO yianchugai_app;
REVOKE CREATE ON SCHEMA public FROM yianchugai_app;
-- Rows of every table, and the sequences that number them: no TRUNCATE, no REFERENCES, no TRIGGER.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO yianchugai_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO yianchugai_app;
-- The same for the tables later migrations create (run as the owner, yianchugai).
ALTER DEFAULT PRIVILEGES FOR ROLE yianchugai IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO yianchugai_app;
ALTER DEFAULT PRIVILEGES FOR ROLE yianchugai IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO yianchugai_app;
-- The audit log: read and appended to, never changed (the triggers refuse it too).
REVOKE UPDATE, DELETE, TRUNCATE ON accounts_auditentry FROM yianchugai_app;
-- grants:end

COMMIT;
