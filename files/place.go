package files

import (
	"fmt"
	"path/filepath"
	"strings"

	"banhao/store"
)

// Place is where uploaded bytes are kept: in the database (Dir empty) or in the directory Dir.
//
// In the database every node of an installation reads what any node received, and the bytes go
// with the database's own backup (pg_dump, the SQLite snapshot). A directory is shared between
// nodes only if it is one mounted on all of them.
type Place struct {
	Dir string
}

// InDatabase reports whether the bytes are kept in the database.
func (p Place) InDatabase() bool { return p.Dir == "" }

func (p Place) String() string {
	if p.InDatabase() {
		return "the database"
	}
	return "directory " + p.Dir
}

// DefaultPlace is where an engine keeps uploads unless told otherwise: PostgreSQL, whose nodes
// may be several, in the database; SQLite, one node by nature, under dataDir/files.
func DefaultPlace(d store.Dialect, dataDir string) Place {
	if d == store.Postgres {
		return Place{}
	}
	return Place{Dir: filepath.Join(dataDir, "files")}
}

// ParsePlace reads the setting $BANHAO_FILES: "" (the engine's default), "db", "dir"
// (dataDir/files) or "dir:PATH".
func ParsePlace(setting string, d store.Dialect, dataDir string) (Place, error) {
	switch {
	case setting == "":
		return DefaultPlace(d, dataDir), nil
	case setting == "db":
		return Place{}, nil
	case setting == "dir":
		return Place{Dir: filepath.Join(dataDir, "files")}, nil
	case strings.HasPrefix(setting, "dir:") && len(setting) > len("dir:"):
		return Place{Dir: filepath.Clean(setting[len("dir:"):])}, nil
	case strings.HasPrefix(setting, "s3://"):
		return Place{}, fmt.Errorf("BANHAO_FILES=%s: an object store is not supported yet; use db (the database, shared by every node) or dir", setting)
	}
	return Place{}, fmt.Errorf("BANHAO_FILES=%q: want db, dir or dir:PATH", setting)
}
