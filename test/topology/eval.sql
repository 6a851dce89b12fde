-- pgbench script: evaluate the office_listing_quality policy over one bucket
-- of 40 listings (id % 50) and fail the transaction unless the decisions'
-- checksum matches the one computed on a direct connection.
\set bucket random(0, 49)
SELECT topology.check_checksum(:bucket,
         md5(string_agg(l.id || '=' || topology.decision_text(olpe.evaluate('office_listing_quality', l)),
                        ';' ORDER BY l.id)))
  FROM demo.office_listing l
 WHERE l.id % 50 = :bucket;
