-- Show the olpe.enforce() trigger in reject mode on a copy of a listing
-- table. The allowed listing with the lowest id is written, and the denied
-- listing with the lowest id is rejected with SQLSTATE 23514. Last, the rows
-- of the copy are counted.
--
-- Usage: psql -v policy=NAME -v target=SCHEMA.TABLE -v label='SQL expression'
--             -f demo/enforce.sql
--
-- The target table needs a primary key column id. The copy is named after it
-- with the suffix _live (demo.gsa_lease_live), has the target's columns and
-- defaults and a primary key on id, and is replaced on every run. label is an
-- expression over the listing (alias l) that identifies it to a reader.

\set ON_ERROR_STOP on
-- No command tags or \pset messages, also without psql -q.
\set QUIET on
SET client_min_messages = warning;
\pset footer off
\set live :target _live

-- Run a statement that a reject trigger is expected to stop. Returns the
-- SQLSTATE, then the ERROR, DETAIL and HINT lines as psql prints them, or one
-- line saying that no error was raised. Only check_violation, the error of a
-- denied row, is caught: any other error stops the demo.
CREATE OR REPLACE FUNCTION pg_temp.rejection_lines(statement text) RETURNS SETOF text
LANGUAGE plpgsql
AS $$
DECLARE
  sqlstate_text text;
  message_text  text;
  detail_text   text;
  hint_text     text;
BEGIN
  EXECUTE statement;
  RETURN NEXT 'no error: the row was written';
EXCEPTION
  WHEN check_violation THEN
    GET STACKED DIAGNOSTICS sqlstate_text = RETURNED_SQLSTATE,
                            message_text  = MESSAGE_TEXT,
                            detail_text   = PG_EXCEPTION_DETAIL,
                            hint_text     = PG_EXCEPTION_HINT;
    RETURN NEXT 'SQLSTATE: ' || sqlstate_text;
    RETURN NEXT 'ERROR:  ' || message_text;
    IF detail_text <> '' THEN
      RETURN NEXT 'DETAIL:  ' || detail_text;
    END IF;
    IF hint_text <> '' THEN
      RETURN NEXT 'HINT:  ' || hint_text;
    END IF;
END;
$$;

DROP TABLE IF EXISTS :live;
CREATE TABLE :live (LIKE :target INCLUDING DEFAULTS, PRIMARY KEY (id));
CREATE TRIGGER enforce_policy
  BEFORE INSERT OR UPDATE ON :live
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce(:'policy', 'reject');

\echo
\echo 'Enforcement on writes: trigger enforce_policy on' :live
\echo '  BEFORE INSERT OR UPDATE FOR EACH ROW EXECUTE FUNCTION olpe.enforce(':'policy'', ''reject'')'

-- The listings to insert. Each variable stays unset when no listing of the
-- target has that outcome.
SELECT min(l.id) FILTER (WHERE d.outcome = 'allow') AS allowed_id,
       min(l.id) FILTER (WHERE d.outcome = 'deny') AS denied_id
  FROM :target AS l
 CROSS JOIN LATERAL olpe.evaluate(:'policy', l) AS d \gset

\if :{?allowed_id}
  \echo
  \echo 'The allowed listing with the lowest id is written:'
  \echo '=> INSERT INTO' :live 'SELECT * FROM' :target 'WHERE id =' :allowed_id
  INSERT INTO :live AS l
  SELECT * FROM :target WHERE id = :allowed_id
  RETURNING l.id, :label AS listing;
\else
  \echo 'No listing of' :target 'is allowed, so none is inserted.'
\endif

\if :{?denied_id}
  \echo 'The denied listing with the lowest id is rejected:'
  \echo '=> INSERT INTO' :live 'SELECT * FROM' :target 'WHERE id =' :denied_id
  \pset format unaligned
  \pset tuples_only on
  SELECT pg_temp.rejection_lines(format('INSERT INTO %s SELECT * FROM %s WHERE id = %s',
                                        :'live', :'target', :'denied_id'));
  \pset format aligned
  \pset tuples_only off
\else
  \echo 'No listing of' :target 'is denied, so no INSERT is rejected.'
\endif

SELECT count(*) AS live_rows FROM :live \gset
\echo
\echo 'Rows in' :live 'afterwards:' :live_rows
\unset allowed_id
\unset denied_id
