-- Compliance report by city (city and state) of policy gsa_lease_quality over demo.gsa_lease.
\set policy gsa_lease_quality
\set target demo.gsa_lease
\set city 'l.city || '', '' || l.state'
\ir compliance_by_city.sql
