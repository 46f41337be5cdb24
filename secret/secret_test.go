package secret

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadCreatesThenReusesTheKeyFile(t *testing.T) {
	t.Setenv("BANHAO_SECRET", "")
	dir := t.TempDir()
	a, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "secret.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret.key: %v %v, want a 0600 file", info, err)
	}
	b, err := Load(dir)
	if err != nil || !bytes.Equal(a.Derive("audit"), b.Derive("audit")) {
		t.Fatal("a second start derived another key: the audit chain would break on restart")
	}
	if bytes.Equal(a.Derive("audit"), a.Derive("pii")) {
		t.Fatal("keys for different purposes are equal")
	}
}

func TestLoadFromEnvironment(t *testing.T) {
	t.Setenv("BANHAO_SECRET", "short")
	if _, err := Load(t.TempDir()); err == nil {
		t.Fatal("a 5-character secret was accepted")
	}
	t.Setenv("BANHAO_SECRET", "0123456789abcdef0123456789abcdef-shared-by-all-nodes")
	a, _ := Load(t.TempDir())
	b, _ := Load(t.TempDir())
	if !bytes.Equal(a.Derive("audit"), b.Derive("audit")) {
		t.Fatal("two nodes with the same $BANHAO_SECRET derived different keys")
	}
}
