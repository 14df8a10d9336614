package schemas

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoReaderImportsProcessor keeps the updates topic a contract: the
// processor publishes schemas.Update and every reader (servers,
// views/storeview) decodes it from here, so no package outside processor/
// and cmd/ imports the processor package. Test files may (they start a
// real processor), and so may packages whose name ends in "test"
// (server/app/apptest), which exist to assemble the whole product for
// tests.
func TestNoReaderImportsProcessor(t *testing.T) {
	const processor = "github.com/agentpulse/agentpulse/processor"
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		name := d.Name()
		if rel != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		if rel == "processor" || strings.HasPrefix(rel, "processor/") || rel == "cmd" || strings.HasPrefix(rel, "cmd/") {
			return nil
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		checked++
		if strings.HasSuffix(pkg.Name, "test") {
			return nil
		}
		for _, imp := range pkg.Imports {
			if imp == processor {
				t.Errorf("%s imports %s: read updates with schemas.Update and schemas.DecodeUpdate", rel, processor)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("checked only %d packages: is the walk rooted at the module?", checked)
	}
}
