-- Create olpe in the regression database; later tests rely on it.
CREATE EXTENSION olpe;

SELECT extname, extversion, extnamespace::regnamespace AS schema, extrelocatable
FROM pg_extension
WHERE extname = 'olpe';
