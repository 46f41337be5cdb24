// Package engines registers the database drivers that store.Open uses: modernc.org/sqlite
// (pure Go) and pgx's database/sql adapter. Programs import it once, in main; keeping the
// drivers out of store keeps them out of binaries that only parse files (the fuzz targets).
package engines

import (
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"
)
