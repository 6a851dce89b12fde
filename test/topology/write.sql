-- pgbench script: insert one listing into topology.written_listing, whose
-- triggers (when olpe.enforce() exists) annotate it and log its decision.
-- Run with -D writer_id=N to tell writers apart.
\set size random(50, 2000)
\set photos random(0, 6)
INSERT INTO topology.written_listing (writer, title, size_sqft, photo_count)
VALUES ('pgbench-' || :writer_id, 'Office for client ' || :client_id, :size, :photos);
