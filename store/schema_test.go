package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"banhao/store"
	"banhao/store/storetest"
)

// TestMigratedSchemasMatch: the two dialects' migrations build the same tables with the same
// columns (in kind: integer, text, real, blob, time, bool), the same nullability and the same
// indexes (by table, unique or not, and columns). A column or index added to one dialect only
// fails here.
func TestMigratedSchemasMatch(t *testing.T) {
	if storetest.PostgresDSN() == "" {
		t.Skip("BANHAO_TEST_POSTGRES not set")
	}
	ctx := context.Background()
	lite, err := dumpSchema(ctx, storetest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	pg, err := dumpSchema(ctx, storetest.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d schema lines on SQLite, %d on PostgreSQL", len(lite), len(pg))
	if len(lite) < 20 {
		t.Fatalf("SQLite schema has only %d lines: the dump reads nothing", len(lite))
	}
	for _, l := range lite {
		if !slices.Contains(pg, l) {
			t.Errorf("only in SQLite: %s", l)
		}
	}
	for _, l := range pg {
		if !slices.Contains(lite, l) {
			t.Errorf("only in PostgreSQL: %s", l)
		}
	}
}

// ours reports whether a table belongs to our migrations (River and goose keep their own).
func ours(table string) bool {
	return !strings.HasPrefix(table, "river_") && table != "goose_db_version" && !strings.HasPrefix(table, "sqlite_")
}

// kind folds a declared type into the family both engines share.
func kind(typ string) string {
	t := strings.ToLower(typ)
	switch {
	case strings.Contains(t, "int") || t == "serial" || t == "bigserial":
		return "integer"
	case strings.Contains(t, "char") || t == "text" || t == "uuid" || strings.Contains(t, "json"):
		return "text"
	case strings.Contains(t, "real") || strings.Contains(t, "double") || strings.Contains(t, "numeric") || strings.Contains(t, "float"):
		return "real"
	case strings.Contains(t, "blob") || t == "bytea":
		return "blob"
	case strings.Contains(t, "timestamp") || t == "date" || t == "datetime":
		return "time"
	case strings.Contains(t, "bool"):
		return "bool"
	}
	return "?" + t
}

// dumpSchema lists one sorted line per column and per index.
func dumpSchema(ctx context.Context, db *store.DB) ([]string, error) {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	var cols, idx string
	if db.Dialect == store.SQLite {
		cols = `SELECT m.name, p.name, p.type, p."notnull" OR p.pk > 0 FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`
		idx = `SELECT m.tbl_name, il.name, il."unique", (SELECT group_concat(name, ',') FROM (SELECT ii.name FROM pragma_index_info(il.name) ii ORDER BY ii.seqno))
			FROM sqlite_master m, pragma_index_list(m.name) il WHERE m.type = 'table' AND il.origin <> 'pk'
			UNION ALL SELECT m.name, 'primary key', 1, (SELECT group_concat(name, ',') FROM (SELECT p.name FROM pragma_table_info(m.name) p WHERE p.pk > 0 ORDER BY p.pk))
			FROM sqlite_master m WHERE m.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) p WHERE p.pk > 0)`
	} else {
		cols = `SELECT table_name, column_name, data_type, is_nullable = 'NO' FROM information_schema.columns WHERE table_schema = current_schema()`
		idx = `SELECT t.relname, CASE WHEN ix.indisprimary THEN 'primary key' ELSE i.relname END, ix.indisunique,
				(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, n)
					JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)
			FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid
			JOIN pg_namespace ns ON ns.oid = t.relnamespace WHERE ns.nspname = current_schema()`
	}
	rows, err := db.QueryContext(ctx, cols)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, col, typ string
		var notNull bool
		if err := rows.Scan(&table, &col, &typ, &notNull); err != nil {
			rows.Close()
			return nil, err
		}
		if ours(table) {
			add("column %s.%s %s notnull=%v", table, col, kind(typ), notNull)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	rows, err = db.QueryContext(ctx, idx)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, name string
		var unique bool
		var columns *string
		if err := rows.Scan(&table, &name, &unique, &columns); err != nil {
			rows.Close()
			return nil, err
		}
		if !ours(table) {
			continue
		}
		c := "(expression)"
		if columns != nil && *columns != "" {
			c = *columns
		}
		if name == "primary key" {
			add("primary key of %s (%s)", table, c)
		} else {
			add("index on %s unique=%v (%s)", table, unique, c)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}
